//! Projects: requested like `oc new-project` when project.openshift.io is served, else
//! created as plain Namespaces. bridgectl labels what it creates; a project that existed
//! before is used but never claimed.

use anyhow::{Result, anyhow};
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::cluster::Cluster;
use super::objects::{MANAGED_BY, MANAGER, is_managed};
use super::resources::api;
use crate::reconcile::{Kind, Outcome, Report};

/// The description bridgectl's project requests carry (see manifests/project-request.yaml).
const OURS: &str = "Created by bridgectl";

/// Whether the cluster serves project.openshift.io (OpenShift) or not (plain Kubernetes).
pub async fn projects_served(cluster: &Cluster) -> Result<bool> {
    let groups = cluster
        .call("API discovery", || cluster.client.list_api_groups())
        .await?;
    Ok(groups
        .groups
        .iter()
        .any(|g| g.name == "project.openshift.io"))
}

/// `request` is the rendered ProjectRequest (or Namespace, without project.openshift.io).
pub async fn ensure(cluster: &Cluster, request: &Value, report: &mut Report) -> Result<()> {
    let name = request["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let what = format!("project {name}");
    let namespaces = api(&cluster.client, "v1", "Namespace", None)?;
    let live = cluster.call(&what, || namespaces.get_opt(&name)).await?;
    match live {
        Some(ns) if is_managed(&ns) => {
            report.found(Kind::Project, name, Outcome::Unchanged, vec![]);
        }
        Some(ns) if description(&ns) == Some(OURS) => {
            // Requested by an earlier run that stopped before labelling it.
            let details = vec!["labelled as bridgectl's".into()];
            report
                .apply(Kind::Project, &name, Outcome::Updated, details, || {
                    label(cluster, &name)
                })
                .await?;
        }
        Some(_) => {
            report.found(
                Kind::Project,
                name,
                Outcome::Unchanged,
                vec!["existed before bridgectl: used, never removed".into()],
            );
        }
        None => {
            let kind = request["kind"].as_str().unwrap_or_default();
            let api_version = request["apiVersion"].as_str().unwrap_or_default();
            let object: DynamicObject = serde_json::from_value(request.clone())
                .map_err(|err| anyhow!("{what}: rendered manifest is not an object: {err}"))?;
            let creator = api(&cluster.client, api_version, kind, None)?;
            let post = PostParams::default();
            report
                .apply(Kind::Project, &name, Outcome::Created, vec![], || async {
                    let created = cluster
                        .write(&what, &format!("create {kind}"), || {
                            creator.create(&post, &object)
                        })
                        .await;
                    match created {
                        Err(err) if err.is_conflict() => {}
                        other => {
                            other?;
                        }
                    }
                    label(cluster, &name).await
                })
                .await?;
        }
    }
    Ok(())
}

async fn label(cluster: &Cluster, name: &str) -> Result<()> {
    let namespaces = api(&cluster.client, "v1", "Namespace", None)?;
    let patch = Patch::Merge(json!({"metadata": {"labels": {MANAGED_BY: MANAGER}}}));
    let params = PatchParams::default();
    cluster
        .write(&format!("namespace {name}"), "label Namespace", || {
            namespaces.patch(name, &params, &patch)
        })
        .await?;
    Ok(())
}

fn description(ns: &DynamicObject) -> Option<&str> {
    ns.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("openshift.io/description"))
        .map(String::as_str)
}
