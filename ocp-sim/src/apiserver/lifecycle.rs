//! Namespace lifecycle, as the real API server and its namespace controller run it: a
//! deleted namespace stays `Terminating` (with `deletionTimestamp`) while its content is
//! removed, refuses new content with 403 (the NamespaceLifecycle admission plugin) and a
//! new namespace of its name with 409, answers a second delete with itself, unchanged, and
//! is gone when the termination time has passed. With no termination time (the default)
//! it goes at once. (Checked against kube-apiserver 1.36 by tests/it/conformance.rs.)

use std::time::Instant;

use serde_json::json;

use crate::apiserver::resources::NAMESPACES;
use crate::apiserver::status::{ApiError, ApiResult, GroupResource};
use crate::apiserver::store::Store;
use crate::meta;

pub fn is_terminating(store: &Store, namespace: &str) -> bool {
    store
        .get(&NAMESPACES, "", namespace)
        .is_some_and(|ns| ns.pointer("/metadata/deletionTimestamp").is_some())
}

/// Deletes a namespace: at once without a termination time, else marks it Terminating.
pub fn delete_namespace(store: &mut Store, name: &str) -> ApiResult<serde_json::Value> {
    let gr = NAMESPACES.gr();
    let Some(mut namespace) = store.get(&NAMESPACES, "", name).cloned() else {
        return Err(ApiError::not_found(&gr, name));
    };
    if is_terminating(store, name) {
        return Ok(namespace);
    }
    let delay = store.termination_delay();
    if delay.is_zero() {
        store.remove(&NAMESPACES, "", name);
        store.remove_namespace_contents(name);
        return Ok(namespace);
    }
    meta::metadata_mut(&mut namespace).insert("deletionTimestamp".into(), json!(meta::now()));
    namespace["status"] = json!({"phase": "Terminating"});
    let stored = store.put(&NAMESPACES, namespace);
    store.terminate_at(name, Instant::now() + delay);
    Ok(stored)
}

/// 403 for anything created in a terminating namespace.
pub fn admit_create(
    store: &Store,
    gr: &GroupResource,
    name: &str,
    namespace: &str,
) -> ApiResult<()> {
    if namespace.is_empty() || !is_terminating(store, namespace) {
        return Ok(());
    }
    Err(ApiError::forbidden(
        gr,
        name,
        &format!(
            "unable to create new content in namespace {namespace} because it is being terminated"
        ),
    ))
}

/// Removes the terminating namespaces whose time has come, with their content. Whether
/// anything went.
pub fn finish_due(store: &mut Store, now: Instant) -> bool {
    let due = store.terminations_due(now);
    for name in &due {
        store.remove(&NAMESPACES, "", name);
        store.remove_namespace_contents(name);
    }
    !due.is_empty()
}
