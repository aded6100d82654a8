//! The write path shared by every handler: create, update and delete with the real
//! server's rules (namespaces must exist, names are unique, resourceVersion
//! preconditions, server-owned metadata, no-op updates that keep the resourceVersion).

use serde_json::{Value, json};

use crate::apiserver::field_error::FieldError;
use crate::apiserver::lifecycle;
use crate::apiserver::resources::{self, ResourceDef};
use crate::apiserver::status::{ApiError, ApiResult, GroupResource};
use crate::apiserver::store::Store;
use crate::apiserver::validate;
use crate::apiserver::write::managed::{self, Entry};
use crate::meta;

/// What a successful write returns.
pub struct Written {
    pub object: Value,
    pub warnings: Vec<String>,
    pub created: bool,
}

/// Who owns the fields after a write.
pub enum Ownership {
    /// A create, update or patch by this field manager.
    Update(String),
    /// Entries already computed (by server-side apply).
    Set(Vec<Entry>),
}

/// Namespaces the real server refuses to delete.
const PROTECTED_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

/// Fills a missing kind/apiVersion from the URL and rejects a body that names another.
pub fn check_type(def: &ResourceDef, obj: &mut Value) -> ApiResult<()> {
    let Some(map) = obj.as_object_mut() else {
        return Err(ApiError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: the body is not a JSON object",
            def.kind, def.version, def.kind
        )));
    };
    let expected_version = def.api_version();
    match map.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("apiVersion".into(), json!(expected_version));
        }
        Some(v) if v != expected_version => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({v}) does not match the expected API version ({expected_version})"
            )));
        }
        Some(_) => {}
    }
    match map.get("kind").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("kind".into(), json!(def.kind));
        }
        Some(k) if k != def.kind => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                def.kind
            )));
        }
        Some(_) => {}
    }
    Ok(())
}

pub fn namespace_exists(store: &Store, namespace: &str) -> ApiResult<()> {
    if store.get(&resources::NAMESPACES, "", namespace).is_none() {
        return Err(ApiError::not_found(&resources::NAMESPACES.gr(), namespace));
    }
    Ok(())
}

pub fn create(
    store: &mut Store,
    def: &ResourceDef,
    namespace: &str,
    mut obj: Value,
    ownership: Ownership,
) -> ApiResult<Written> {
    check_type(def, &mut obj)?;
    let meta = meta::metadata_mut(&mut obj);
    if def.namespaced {
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && ns != namespace => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {
                meta.insert("namespace".into(), json!(namespace));
            }
        }
    } else {
        meta.remove("namespace");
    }
    let name = meta
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() {
        match meta.get("generateName").and_then(Value::as_str) {
            Some(prefix) if !prefix.is_empty() => {
                let generated = format!("{prefix}{}", meta::random_suffix());
                meta.insert("name".into(), json!(generated));
            }
            _ => {
                return Err(ApiError::invalid(
                    def.group,
                    def.kind,
                    "",
                    &[FieldError::required(
                        "metadata.name",
                        "name or generateName is required",
                    )],
                ));
            }
        }
    }
    if meta
        .get("resourceVersion")
        .and_then(Value::as_str)
        .is_some_and(|rv| !rv.is_empty())
    {
        return Err(ApiError::internal(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    if def.namespaced {
        namespace_exists(store, namespace)?;
    }
    let name = meta::name(&obj).to_string();
    if def.namespaced {
        lifecycle::admit_create(store, &def.gr(), &name, namespace)?;
    }
    if let Some(existing) = store.get(def, namespace, &name) {
        let mut exists = ApiError::already_exists(&def.gr(), &name);
        // The storage layer's words when the one in the way is on its way out.
        if existing.pointer("/metadata/deletionTimestamp").is_some() {
            exists.message = format!("object is being deleted: {}", exists.message);
        }
        return Err(exists);
    }
    let meta = meta::metadata_mut(&mut obj);
    meta.insert("uid".into(), json!(meta::new_uid()));
    meta.insert("creationTimestamp".into(), json!(meta::now()));
    meta.remove("managedFields");
    meta.remove("deletionTimestamp");
    if def.crd {
        meta.insert("generation".into(), json!(1));
    } else {
        meta.remove("generation");
    }
    finish(store, def, None, obj, ownership)
}

pub fn update(
    store: &mut Store,
    def: &ResourceDef,
    namespace: &str,
    name: &str,
    mut obj: Value,
    ownership: Ownership,
) -> ApiResult<Written> {
    check_type(def, &mut obj)?;
    let gr = def.gr();
    let body_name = meta::name(&obj).to_string();
    if body_name.is_empty() {
        meta::metadata_mut(&mut obj).insert("name".into(), json!(name));
    } else if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    if def.namespaced {
        let body_ns = meta::namespace(&obj).to_string();
        if !body_ns.is_empty() && body_ns != namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        meta::metadata_mut(&mut obj).insert("namespace".into(), json!(namespace));
    }
    let Some(old) = store.get(def, namespace, name).cloned() else {
        return Err(ApiError::not_found(&gr, name));
    };
    match meta::resource_version(&obj) {
        None if def.crd => {
            // CRD-served resources do not allow unconditional updates. The real server
            // names the resource here, not the kind (checked against kube-apiserver 1.36).
            return Err(ApiError::invalid(
                def.group,
                def.plural,
                name,
                &[FieldError::invalid_raw(
                    "metadata.resourceVersion",
                    "0".into(),
                    "must be specified for an update",
                )],
            ));
        }
        Some(rv) if Some(rv) != meta::resource_version(&old) => {
            return Err(ApiError::modified(&gr, name));
        }
        _ => {}
    }
    // Server-owned metadata cannot be changed by a client.
    let meta = meta::metadata_mut(&mut obj);
    for key in ["uid", "creationTimestamp", "generation", "resourceVersion"] {
        match old.pointer(&format!("/metadata/{key}")) {
            Some(v) => meta.insert(key.into(), v.clone()),
            None => meta.remove(key),
        };
    }
    if let Some(mf) = old.pointer("/metadata/managedFields") {
        meta.insert("managedFields".into(), mf.clone());
    } else {
        meta.remove("managedFields");
    }
    if def.kind == "Namespace" {
        // Status is a subresource; a plain update does not change it.
        if let Some(status) = old.get("status") {
            obj["status"] = status.clone();
        }
    }
    finish(store, def, Some(&old), obj, ownership)
}

fn without_bookkeeping(obj: &Value) -> Value {
    let mut copy = obj.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
        meta.remove("managedFields");
        meta.remove("generation");
    }
    copy
}

fn finish(
    store: &mut Store,
    def: &ResourceDef,
    old: Option<&Value>,
    mut obj: Value,
    ownership: Ownership,
) -> ApiResult<Written> {
    let warnings = validate::admit(def, &mut obj, old)?;
    let api_version = def.api_version();
    match ownership {
        Ownership::Update(manager) => managed::record_update(old, &mut obj, &manager, &api_version),
        Ownership::Set(entries) => managed::write(&mut obj, &entries),
    }
    if let Some(old) = old {
        // A write that changes nothing keeps the stored object and its resourceVersion.
        if without_bookkeeping(old) == without_bookkeeping(&obj) {
            return Ok(Written {
                object: old.clone(),
                warnings,
                created: false,
            });
        }
        if def.crd {
            let spec_changed = {
                let strip = |v: &Value| {
                    let mut c = without_bookkeeping(v);
                    if let Some(m) = c.as_object_mut() {
                        m.remove("metadata");
                        m.remove("status");
                    }
                    c
                };
                strip(old) != strip(&obj)
            };
            let generation = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let next = if spec_changed {
                generation + 1
            } else {
                generation
            };
            meta::metadata_mut(&mut obj).insert("generation".into(), json!(next));
        }
    }
    let stored = store.put(def, obj);
    commit(store)?;
    Ok(Written {
        object: stored,
        warnings,
        created: old.is_none(),
    })
}

pub fn delete(
    store: &mut Store,
    def: &ResourceDef,
    namespace: &str,
    name: &str,
) -> ApiResult<Value> {
    let gr: GroupResource = def.gr();
    if def.kind == "Namespace" && PROTECTED_NAMESPACES.contains(&name) {
        return Err(ApiError::forbidden(
            &gr,
            name,
            "this namespace may not be deleted",
        ));
    }
    if def.kind == "Namespace" {
        let deleted = lifecycle::delete_namespace(store, name)?;
        commit(store)?;
        return Ok(deleted);
    }
    let Some(removed) = store.remove(def, namespace, name) else {
        return Err(ApiError::not_found(&gr, name));
    };
    commit(store)?;
    Ok(removed)
}

pub fn commit(store: &Store) -> ApiResult<()> {
    store
        .save()
        .map_err(|e| ApiError::internal(&format!("persisting the simulator state: {e}")))
}
