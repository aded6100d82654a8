//! Generic handlers for the plain resources: get, list, create, update, patch, delete.

use serde_json::{Value, json};

use super::body;
use super::path::Target;
use super::request::{Reply, Req, default_manager};
use crate::apiserver::auth::Principal;
use crate::apiserver::selector::{FieldSelector, LabelSelector};
use crate::apiserver::status::{ApiError, ApiResult};
use crate::apiserver::store::Store;
use crate::apiserver::write::objects::{self, Ownership, Written};
use crate::apiserver::write::patch::{self, PatchType};
use crate::context::Sim;

pub fn handle(
    sim: &Sim,
    req: &Req<'_>,
    _principal: &Principal,
    verb: &str,
    target: &Target,
) -> ApiResult<Reply> {
    let def = target.def;
    let ns = target.namespace.as_str();
    let name = target.name.as_deref().unwrap_or("");
    match verb {
        "get" => {
            let store = sim.store();
            store
                .get(def, ns, name)
                .cloned()
                .map(Reply::ok)
                .ok_or_else(|| ApiError::not_found(&def.gr(), name))
        }
        "list" => list(sim, req, target),
        "create" => {
            let obj = decoded(req, def)?;
            let manager = manager_of(req);
            write(sim, req, |store| {
                objects::create(store, def, ns, obj, Ownership::Update(manager))
            })
        }
        "update" => {
            let obj = decoded(req, def)?;
            let manager = manager_of(req);
            write(sim, req, |store| {
                objects::update(store, def, ns, name, obj, Ownership::Update(manager))
            })
        }
        "patch" => {
            let content_type = req.header("content-type").unwrap_or("");
            let kind = patch::from_content_type(content_type)
                .ok_or_else(|| ApiError::unsupported_media_type(&patch::accepted(def)))?;
            let manager = req.query.get("fieldManager").cloned();
            let fallback = default_manager(req);
            let force = req.query.get("force").is_some_and(|f| f == "true");
            write(sim, req, |store| {
                patch::patch(
                    store,
                    def,
                    patch::Request {
                        namespace: ns,
                        name,
                        kind,
                        body: req.body,
                        manager: manager.as_deref(),
                        default_manager: &fallback,
                        force,
                    },
                )
            })
        }
        "delete" => {
            let dry = req.dry_run();
            let mut store = sim.store();
            let removed = if dry {
                let mut copy = store.dry_copy();
                objects::delete(&mut copy, def, ns, name)?
            } else {
                objects::delete(&mut store, def, ns, name)?
            };
            Ok(Reply::ok(deleted_reply(def, removed)))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// What DELETE answers: custom resources and namespaces come back as the object (a
/// namespace marked Terminating); other built-in kinds as a `Success` Status.
fn deleted_reply(def: &crate::apiserver::resources::ResourceDef, removed: Value) -> Value {
    if def.crd {
        return removed;
    }
    if def.kind == "Namespace" {
        let mut ns = removed;
        crate::meta::metadata_mut(&mut ns)
            .insert("deletionTimestamp".into(), json!(crate::meta::now()));
        ns["status"] = json!({"phase": "Terminating"});
        return ns;
    }
    let mut details = json!({
        "name": crate::meta::name(&removed),
        "kind": def.plural,
        "uid": removed.pointer("/metadata/uid").cloned().unwrap_or(Value::Null),
    });
    if !def.group.is_empty() {
        details["group"] = json!(def.group);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

/// The body of a create or update, refused whole for an unknown field when the client
/// asks for strict field validation.
fn decoded(req: &Req<'_>, def: &crate::apiserver::resources::ResourceDef) -> ApiResult<Value> {
    let obj = body::decode(req.header("content-type"), req.body, def)?;
    if req.query.get("fieldValidation").map(String::as_str) == Some("Strict") {
        crate::apiserver::validate::refuse_unknown_fields(def, &obj)?;
    }
    Ok(obj)
}

fn manager_of(req: &Req<'_>) -> String {
    req.query
        .get("fieldManager")
        .filter(|m| !m.is_empty())
        .cloned()
        .unwrap_or_else(|| default_manager(req))
}

/// Runs a write against the store (or a throwaway copy for `dryRun=All`).
fn write(
    sim: &Sim,
    req: &Req<'_>,
    op: impl FnOnce(&mut Store) -> ApiResult<Written>,
) -> ApiResult<Reply> {
    let mut store = sim.store();
    let written = if req.dry_run() {
        let mut copy = store.dry_copy();
        op(&mut copy)?
    } else {
        op(&mut store)?
    };
    Ok(Reply {
        code: if written.created { 201 } else { 200 },
        body: written.object,
        warnings: written.warnings,
    })
}

fn list(sim: &Sim, req: &Req<'_>, target: &Target) -> ApiResult<Reply> {
    let def = target.def;
    let labels = LabelSelector::parse(
        req.query
            .get("labelSelector")
            .map(String::as_str)
            .unwrap_or(""),
    )?;
    let fields = FieldSelector::parse(
        req.query
            .get("fieldSelector")
            .map(String::as_str)
            .unwrap_or(""),
        def.kind,
    )?;
    let store = sim.store();
    let scope = (!target.namespace.is_empty()).then_some(target.namespace.as_str());
    let items: Vec<Value> = store
        .list(def, scope)
        .into_iter()
        .filter(|o| labels.matches(o) && fields.matches(o))
        .map(|o| list_item(def.crd, o))
        .collect();
    Ok(Reply::ok(json!({
        "kind": format!("{}List", def.kind),
        "apiVersion": def.api_version(),
        "metadata": {"resourceVersion": store.resource_version().to_string()},
        "items": items,
    })))
}

/// Items of built-in lists carry no kind/apiVersion on a real server; custom resources do.
pub fn list_item(crd: bool, obj: &Value) -> Value {
    let mut item = obj.clone();
    if !crd && let Some(map) = item.as_object_mut() {
        map.remove("kind");
        map.remove("apiVersion");
    }
    item
}

/// The `/_sim/mutate-after-read` hook: another admin edits the object right after a read.
pub fn mutate_after_read(sim: &Sim, path: &str, target: &Target) {
    let Some(patch_body) = sim.hooks().take_mutation(path) else {
        return;
    };
    let Some(name) = target.name.as_deref() else {
        return;
    };
    let body = patch_body.to_string();
    let mut store = sim.store();
    let result = patch::patch(
        &mut store,
        target.def,
        patch::Request {
            namespace: &target.namespace,
            name,
            kind: PatchType::Merge,
            body: body.as_bytes(),
            manager: Some("ocp-sim-other-admin"),
            default_manager: "ocp-sim-other-admin",
            force: false,
        },
    );
    if let Err(e) = result {
        eprintln!("ocp-sim: mutate-after-read on {path} failed: {e}");
    }
}
