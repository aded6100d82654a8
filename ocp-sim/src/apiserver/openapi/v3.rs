//! OpenAPI 3.0 documents: one per served group version, and the index at
//! `/openapi/v3` that points at each with a hash of its content.

use serde_json::{Map, Value, json};

use super::{kinds, meta, names, paths};
use crate::apiserver::discovery;
use crate::apiserver::resources::{self, ResourceDef};

/// The served group versions, core first, as (group, version).
pub fn group_versions(serves: impl Fn(&str) -> bool) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for def in resources::ALL {
        let gv = (def.group, def.version);
        if serves(def.group) && !out.contains(&gv) {
            out.push(gv);
        }
    }
    out
}

pub fn info() -> Value {
    let version = discovery::version();
    json!({"title": "Kubernetes", "version": version["gitVersion"]})
}

/// Paths and schemas of the given resources.
pub fn parts(defs: &[&ResourceDef]) -> (Map<String, Value>, Map<String, Value>) {
    let mut paths = Map::new();
    let mut schemas: Map<String, Value> = meta::schemas()
        .into_iter()
        .map(|(name, schema)| (name.to_string(), schema))
        .collect();
    for def in defs {
        paths.extend(paths::paths(def));
        schemas.extend(kinds::schemas(def));
    }
    (paths, schemas)
}

/// The document of one group version, if it has resources.
pub fn document(group: &str, version: &str) -> Option<Value> {
    let defs = resources::in_group(group, version);
    if defs.is_empty() {
        return None;
    }
    let (paths, schemas) = parts(&defs);
    Some(json!({
        "openapi": "3.0.0",
        "info": info(),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"BearerToken": {"type": "apiKey", "in": "header", "name": "authorization"}},
        },
        "security": [{"BearerToken": []}],
    }))
}

/// The index: each served group version's document path and URL (with `hash`).
pub fn index(documents: &[(String, String)]) -> Value {
    let paths: Map<String, Value> = documents
        .iter()
        .map(|(path, hash)| {
            (
                path.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
            )
        })
        .collect();
    json!({"paths": paths})
}

/// The document path of a group version (`api/v1`, `apis/{group}/{version}`) parsed back.
pub fn parse_document_path(path: &str) -> Option<(&str, &str)> {
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["api", version] => Some(("", *version)),
        ["apis", group, version] if !group.is_empty() => Some((*group, *version)),
        _ => None,
    }
}

pub use names::document_path;
