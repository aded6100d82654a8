//! The Swagger 2.0 document at `/openapi/v2`: every served group version in one
//! document, made from the same paths and schemas as the OpenAPI 3 ones (request and
//! response bodies become `body` parameters, `consumes` and `produces`).

use serde_json::{Map, Value, json};

use super::build::SCHEMA_REF;
use super::v3;
use crate::apiserver::resources::{self, ResourceDef};

const DEFINITION_REF: &str = "#/definitions/";

/// Points every `$ref` at `#/definitions/` instead of `#/components/schemas/`.
fn move_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix(SCHEMA_REF) {
                            *r = format!("{DEFINITION_REF}{name}");
                        }
                    }
                    (_, v) => move_refs(v),
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(move_refs),
        _ => {}
    }
}

/// A v3 parameter's `schema` folded into the parameter, as Swagger 2.0 writes it.
fn parameter(p: &Value) -> Value {
    let mut out = p.clone();
    if let Some(map) = out.as_object_mut()
        && let Some(Value::Object(schema)) = map.remove("schema")
    {
        map.extend(schema);
    }
    out
}

/// The media types of a v3 `content` map and the schema they share.
fn content(c: Option<&Value>) -> (Vec<String>, Option<Value>) {
    let Some(map) = c.and_then(Value::as_object) else {
        return (Vec::new(), None);
    };
    let schema = map.values().find_map(|v| v.get("schema").cloned());
    (map.keys().cloned().collect(), schema)
}

fn operation(op: &Value) -> Value {
    let mut out = op.clone();
    let Some(map) = out.as_object_mut() else {
        return out;
    };
    let mut params: Vec<Value> = map
        .remove("parameters")
        .and_then(|p| p.as_array().map(|l| l.iter().map(parameter).collect()))
        .unwrap_or_default();
    if let Some(body) = map.remove("requestBody") {
        let (types, schema) = content(body.get("content"));
        params.insert(
            0,
            json!({"name": "body", "in": "body", "required": body["required"], "schema": schema}),
        );
        map.insert("consumes".into(), json!(types));
    }
    map.insert("parameters".into(), Value::Array(params));
    let mut produces: Vec<String> = Vec::new();
    if let Some(Value::Object(responses)) = map.get_mut("responses") {
        for response in responses.values_mut() {
            let (types, schema) = content(response.get("content"));
            if let Some(r) = response.as_object_mut() {
                r.remove("content");
                if let Some(schema) = schema {
                    r.insert("schema".into(), schema);
                }
            }
            for t in types {
                if !produces.contains(&t) {
                    produces.push(t);
                }
            }
        }
    }
    map.insert("produces".into(), json!(produces));
    map.insert("schemes".into(), json!(["https"]));
    out
}

fn path_item(item: &Value) -> Value {
    let Some(map) = item.as_object() else {
        return item.clone();
    };
    let converted: Map<String, Value> = map
        .iter()
        .map(|(key, v)| match key.as_str() {
            "parameters" => (
                key.clone(),
                Value::Array(
                    v.as_array()
                        .map(|l| l.iter().map(parameter).collect())
                        .unwrap_or_default(),
                ),
            ),
            _ => (key.clone(), operation(v)),
        })
        .collect();
    Value::Object(converted)
}

/// The whole document for the served groups.
pub fn document(serves: impl Fn(&str) -> bool) -> Value {
    let defs: Vec<&ResourceDef> = resources::ALL
        .iter()
        .copied()
        .filter(|d| serves(d.group))
        .collect();
    let (paths, schemas) = v3::parts(&defs);
    let paths: Map<String, Value> = paths
        .iter()
        .map(|(path, item)| (path.clone(), path_item(item)))
        .collect();
    let mut doc = json!({
        "swagger": "2.0",
        "info": v3::info(),
        "paths": paths,
        "definitions": schemas,
        "securityDefinitions": {"BearerToken": {"type": "apiKey", "in": "header", "name": "authorization"}},
        "security": [{"BearerToken": []}],
    });
    move_refs(&mut doc);
    doc
}
