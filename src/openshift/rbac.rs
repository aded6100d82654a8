//! Role bindings of the RBAC matrix, and removal of the ones bridgectl made that the
//! configuration no longer asks for.

use std::collections::HashSet;

use anyhow::Result;
use kube::api::{DynamicObject, ListParams, TypeMeta};

use super::cluster::Cluster;
use super::objects::{self, MANAGED_BY, MANAGER};
use super::resources::api;
use crate::reconcile::Report;

pub async fn ensure_all(
    cluster: &Cluster,
    desired: &[DynamicObject],
    report: &mut Report,
) -> Result<()> {
    for binding in desired {
        objects::ensure(cluster, binding, report).await?;
    }
    let wanted: HashSet<(String, String)> = desired.iter().map(key).collect();
    let all = api(
        &cluster.client,
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        None,
    )?;
    let labelled = ListParams::default().labels(&format!("{MANAGED_BY}={MANAGER}"));
    let ours = cluster
        .call("role bindings labelled as bridgectl's", || {
            all.list(&labelled)
        })
        .await?;
    for mut stale in ours.items.into_iter().filter(|b| !wanted.contains(&key(b))) {
        // List items come without their kind.
        stale.types = Some(TypeMeta {
            api_version: "rbac.authorization.k8s.io/v1".into(),
            kind: "RoleBinding".into(),
        });
        objects::remove(cluster, &stale, report).await?;
    }
    Ok(())
}

fn key(binding: &DynamicObject) -> (String, String) {
    (
        binding.metadata.namespace.clone().unwrap_or_default(),
        binding.metadata.name.clone().unwrap_or_default(),
    )
}
