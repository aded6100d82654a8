//! The one reconcile for Kubernetes objects: read, compare the fields bridgectl sets,
//! create or replace (with the live resourceVersion, retrying on conflict), report.

use anyhow::{Result, anyhow, bail};
use kube::api::{DeleteParams, DynamicObject, PostParams};
use serde_json::Value;

use super::cluster::Cluster;
use super::optimistic::{settled, until_settled};
use super::resources::api_for;
use crate::reconcile::{Kind, Live, Report, diff_subset};

/// The label on every object bridgectl creates; objects without it are never changed or deleted.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const MANAGER: &str = "bridgectl";
/// Field names whose values never appear in a report.
pub const SECRET_FIELDS: &[&str] = &["clientSecret", "secret"];

/// How an object is reported (`secret`, `openshift-config/keycloak-ca`) and named in
/// messages (`secret openshift-config/keycloak-ca`).
pub struct Described {
    pub kind: Kind,
    /// `metadata.name`.
    pub name: String,
    /// `namespace/name`, or the name of a cluster-wide object.
    pub full_name: String,
    pub what: String,
}

pub fn describe(object: &DynamicObject) -> Result<Described> {
    let kind = Kind::of_cluster_object(kind_of(object))?;
    let name = object.metadata.name.clone().unwrap_or_default();
    let full_name = match &object.metadata.namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.clone(),
    };
    let what = format!("{} {full_name}", kind_of(object).to_lowercase());
    Ok(Described {
        kind,
        name,
        full_name,
        what,
    })
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
    let Described {
        kind,
        name,
        full_name,
        what,
    } = describe(desired)?;
    let post = PostParams::default();
    let create_label = format!("create {}", kind_of(desired));
    let replace_label = format!("replace {}", kind_of(desired));
    until_settled(&what, async || {
        let live = cluster.call(&what, || api.get_opt(&name)).await?;
        if let Some(live) = &live
            && !is_managed(live)
        {
            bail!(
                "{what} exists but was not created by bridgectl (no {MANAGED_BY}={MANAGER} label), \
                 so bridgectl leaves it alone. Delete it, or label it to hand it over: \
                 `oc label {kind} {name}{ns} {MANAGED_BY}={MANAGER}`",
                kind = kind_of(desired).to_lowercase(),
                ns = desired
                    .metadata
                    .namespace
                    .as_ref()
                    .map(|n| format!(" -n {n}"))
                    .unwrap_or_default()
            );
        }
        let state = match &live {
            None => Live::Absent,
            Some(live) => Live::Differs(
                diff_subset(&comparable(desired)?, &comparable(live)?)
                    .iter()
                    .map(|c| c.describe(SECRET_FIELDS))
                    .collect(),
            ),
        };
        let replacement = live.as_ref().map(|live| {
            let mut replacement = desired.clone();
            replacement.metadata.resource_version = live.metadata.resource_version.clone();
            replacement
        });
        let written = report
            .converge(
                kind,
                full_name.clone(),
                state,
                || async {
                    cluster
                        .write(&what, &create_label, || api.create(&post, desired))
                        .await
                        .map(drop)
                },
                || async {
                    let replacement = replacement.as_ref().unwrap_or(desired);
                    cluster
                        .write(&what, &replace_label, || {
                            api.replace(&name, &post, replacement)
                        })
                        .await
                        .map(drop)
                },
            )
            .await;
        settled(written)
    })
    .await
    .map(drop)
}

/// Deletes an object bridgectl created; absent ones are reported as such.
pub async fn remove(cluster: &Cluster, object: &DynamicObject, report: &mut Report) -> Result<()> {
    let api = api_for(&cluster.client, object)?;
    let Described {
        kind,
        name,
        full_name,
        what,
    } = describe(object)?;
    let label = format!("delete {}", kind_of(object));
    let params = DeleteParams::default();
    report
        .apply_delete(kind, full_name, || async {
            match cluster
                .write(&what, &label, || api.delete(&name, &params))
                .await
            {
                Err(err) if err.is_not_found() => Ok(false),
                other => other.map(|_| true),
            }
        })
        .await?;
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
