//! The one reconcile for Kubernetes objects: read, compare the fields bridgectl sets,
//! create or replace (with the live resourceVersion, retrying on conflict), report.

use anyhow::{Result, anyhow, bail};
use kube::api::{DeleteParams, DynamicObject, PostParams};
use serde_json::Value;

use super::cluster::Cluster;
use super::resources::api_for;
use crate::reconcile::{Outcome, Report, diff_subset};

/// The label on every object bridgectl creates; objects without it are never changed or deleted.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const MANAGER: &str = "bridgectl";
/// Field names whose values never appear in a report.
pub const SECRET_FIELDS: &[&str] = &["clientSecret", "secret"];
const CONFLICT_RETRIES: usize = 5;

/// `Kind namespace/name`, for messages and reports.
pub fn describe(object: &DynamicObject) -> (String, String) {
    let kind = kind_of(object);
    let name = object.metadata.name.clone().unwrap_or_default();
    let full = match &object.metadata.namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name,
    };
    (kind.to_lowercase(), full)
}

/// The object's kind as its manifest names it (`RoleBinding`).
fn kind_of(object: &DynamicObject) -> &str {
    object
        .types
        .as_ref()
        .map(|t| t.kind.as_str())
        .unwrap_or_default()
}

pub fn is_managed(object: &DynamicObject) -> bool {
    object
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY))
        .is_some_and(|v| v == MANAGER)
}

/// Parses a rendered manifest and marks it as bridgectl's.
pub fn from_manifest(mut value: Value) -> Result<DynamicObject> {
    value["metadata"]["labels"][MANAGED_BY] = Value::String(MANAGER.into());
    serde_json::from_value(value)
        .map_err(|err| anyhow!("rendered manifest is not an object: {err}"))
}

/// Creates `desired` or brings the live object's managed fields to it.
pub async fn ensure(cluster: &Cluster, desired: &DynamicObject, report: &mut Report) -> Result<()> {
    let api = api_for(&cluster.client, desired)?;
    let (kind, full) = describe(desired);
    let what = format!("{kind} {full}");
    let name = desired.metadata.name.clone().unwrap_or_default();
    let post = PostParams::default();
    let create_label = format!("create {}", kind_of(desired));
    let replace_label = format!("replace {}", kind_of(desired));
    for _ in 0..CONFLICT_RETRIES {
        let live = cluster
            .call(|| api.get_opt(&name))
            .await
            .map_err(|e| cluster.explain(e, &what))?;
        let Some(live) = live else {
            if !report.dry_run {
                match cluster
                    .write(&create_label, || api.create(&post, desired))
                    .await
                {
                    Err(kube::Error::Api(status)) if status.code == 409 => continue,
                    other => other.map_err(|e| cluster.explain(e, &what))?,
                };
            }
            report.record(&kind, full, Outcome::Created, vec![]);
            return Ok(());
        };
        if !is_managed(&live) {
            bail!(
                "{what} exists but was not created by bridgectl (no {MANAGED_BY}={MANAGER} label), \
                 so bridgectl leaves it alone. Delete it, or label it to hand it over: \
                 `oc label {kind} {name}{ns} {MANAGED_BY}={MANAGER}`",
                ns = desired
                    .metadata
                    .namespace
                    .as_ref()
                    .map(|n| format!(" -n {n}"))
                    .unwrap_or_default()
            );
        }
        let changes = diff_subset(&comparable(desired)?, &comparable(&live)?);
        if changes.is_empty() {
            report.record(&kind, full, Outcome::Unchanged, vec![]);
            return Ok(());
        }
        if !report.dry_run {
            let mut replacement = desired.clone();
            replacement.metadata.resource_version = live.metadata.resource_version.clone();
            match cluster
                .write(&replace_label, || api.replace(&name, &post, &replacement))
                .await
            {
                Err(kube::Error::Api(status)) if status.code == 409 => continue,
                other => other.map_err(|e| cluster.explain(e, &what))?,
            };
        }
        let details = changes.iter().map(|c| c.describe(SECRET_FIELDS)).collect();
        report.record(&kind, full, Outcome::Updated, details);
        return Ok(());
    }
    bail!(
        "{what}: kept changing under bridgectl ({CONFLICT_RETRIES} conflicts in a row); run again"
    )
}

/// Deletes an object bridgectl created; absent ones are reported as such.
pub async fn remove(cluster: &Cluster, object: &DynamicObject, report: &mut Report) -> Result<()> {
    let api = api_for(&cluster.client, object)?;
    let (kind, full) = describe(object);
    let name = object.metadata.name.clone().unwrap_or_default();
    let label = format!("delete {}", kind_of(object));
    let params = DeleteParams::default();
    if !report.dry_run {
        match cluster.write(&label, || api.delete(&name, &params)).await {
            Err(kube::Error::Api(status)) if status.code == 404 => {
                report.record(&kind, full, Outcome::Absent, vec![]);
                return Ok(());
            }
            other => {
                other.map_err(|e| cluster.explain(e, &format!("{kind} {full}")))?;
            }
        }
    }
    report.record(&kind, full, Outcome::Deleted, vec![]);
    Ok(())
}

/// The object as JSON without server-owned metadata, keeping labels and annotations.
fn comparable(object: &DynamicObject) -> Result<Value> {
    let mut value = serde_json::to_value(object)?;
    let metadata = value["metadata"].take();
    let mut kept = serde_json::Map::new();
    for key in ["labels", "annotations"] {
        if !metadata[key].is_null() {
            kept.insert(key.into(), metadata[key].clone());
        }
    }
    value["metadata"] = Value::Object(kept);
    if let Some(map) = value.as_object_mut() {
        map.remove("apiVersion");
        map.remove("kind");
    }
    Ok(value)
}
