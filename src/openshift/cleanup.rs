//! `clean` on the cluster: removes exactly what carries bridgectl's label (and its own
//! entry in oauths/cluster); everything else is left as it was.

use anyhow::Result;
use kube::api::{DynamicObject, ListParams, TypeMeta};

use super::cluster::Cluster;
use super::identity_provider;
use super::objects::{self, MANAGED_BY, MANAGER};
use super::resources::api;
use crate::reconcile::{Outcome, Report};

/// The kinds bridgectl creates, in the order they are removed (bindings before the
/// projects holding them; the identity provider's Secret and ConfigMap after it).
const OWNED_KINDS: [(&str, &str, Option<&str>); 5] = [
    ("rbac.authorization.k8s.io/v1", "RoleBinding", None),
    ("oauth.openshift.io/v1", "OAuthClient", None),
    ("v1", "Secret", Some("openshift-config")),
    ("v1", "ConfigMap", Some("openshift-config")),
    ("v1", "Namespace", None),
];

pub async fn remove_owned(cluster: &Cluster, idp_name: &str, report: &mut Report) -> Result<()> {
    let (bindings, rest) = OWNED_KINDS.split_at(2);
    for (api_version, kind, namespace) in bindings {
        remove_labelled(cluster, api_version, kind, *namespace, report).await?;
    }
    identity_provider::remove(cluster, idp_name, report).await?;
    for (api_version, kind, namespace) in rest {
        remove_labelled(cluster, api_version, kind, *namespace, report).await?;
    }
    Ok(())
}

async fn remove_labelled(
    cluster: &Cluster,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    report: &mut Report,
) -> Result<()> {
    let selector = format!("{MANAGED_BY}={MANAGER}");
    let found = api(&cluster.client, api_version, kind, namespace)?
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| cluster.explain(e, &format!("{kind}s labelled {selector}")))?;
    if found.items.is_empty() {
        let label = if kind == "Namespace" { "project" } else { kind };
        report.record(
            &label.to_lowercase(),
            format!("(any labelled {selector})"),
            Outcome::Absent,
            vec![],
        );
    }
    for mut object in found.items {
        // List items come without their kind.
        object.types = Some(TypeMeta {
            api_version: api_version.into(),
            kind: kind.into(),
        });
        remove_one(cluster, &object, report).await?;
    }
    Ok(())
}

/// Projects are reported as projects: that is what bridgectl created them as.
async fn remove_one(cluster: &Cluster, object: &DynamicObject, report: &mut Report) -> Result<()> {
    let is_namespace = object.types.as_ref().is_some_and(|t| t.kind == "Namespace");
    let mut part = Report::new(report.dry_run);
    objects::remove(cluster, object, &mut part).await?;
    for mut change in part.changes {
        if is_namespace {
            change.kind = "project".into();
        }
        report.changes.push(change);
    }
    Ok(())
}
