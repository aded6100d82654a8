//! Projects: requested like `oc new-project` when project.openshift.io is served, else
//! created as plain Namespaces. bridgectl labels what it creates; a project that existed
//! before is used but never claimed.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::cluster::Cluster;
use super::objects::{MANAGED_BY, MANAGER, is_managed};
use super::resources::api;
use crate::reconcile::{Kind, Outcome, Report};
use crate::ui::Ui;

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

/// How long to wait for a project that is still terminating, and where to say so.
pub struct Patience<'a> {
    pub ui: &'a Ui,
    pub timeout: Duration,
}

/// `request` is the rendered ProjectRequest (or Namespace, without project.openshift.io).
pub async fn ensure(
    cluster: &Cluster,
    request: &Value,
    patience: &Patience<'_>,
    report: &mut Report,
) -> Result<()> {
    let name = request["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let what = format!("project {name}");
    let namespaces = api(&cluster.client, "v1", "Namespace", None)?;
    let live = cluster.call(&what, || namespaces.get_opt(&name)).await?;
    match live {
        Some(ns) if terminating_since(&ns).is_some() => {
            // A plan says so; a run waits for the cluster to finish, then requests it anew.
            let details = vec!["still terminating from an earlier delete".into()];
            report
                .apply(Kind::Project, &name, Outcome::Created, details, || async {
                    wait_gone(cluster, &name, patience).await?;
                    create(cluster, request, &name, patience).await
                })
                .await?;
        }
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
            report
                .apply(Kind::Project, &name, Outcome::Created, vec![], || {
                    create(cluster, request, &name, patience)
                })
                .await?;
        }
    }
    Ok(())
}

/// Requests the project and labels it. A 409 is looked into rather than taken as done: a
/// project that began terminating meanwhile is waited for and requested again; one that
/// an earlier attempt of ours made (its answer lost) is labelled; anyone else's is refused.
async fn create(
    cluster: &Cluster,
    request: &Value,
    name: &str,
    patience: &Patience<'_>,
) -> Result<()> {
    let what = format!("project {name}");
    let kind = request["kind"].as_str().unwrap_or_default();
    let api_version = request["apiVersion"].as_str().unwrap_or_default();
    let object: DynamicObject = serde_json::from_value(request.clone())
        .map_err(|err| anyhow!("{what}: rendered manifest is not an object: {err}"))?;
    let creator = api(&cluster.client, api_version, kind, None)?;
    let namespaces = api(&cluster.client, "v1", "Namespace", None)?;
    let post = PostParams::default();
    loop {
        let created = cluster
            .write(&what, &format!("create {kind}"), || {
                creator.create(&post, &object)
            })
            .await;
        match created {
            Ok(_) => break,
            Err(err) if err.is_conflict() => {
                match cluster.call(&what, || namespaces.get_opt(name)).await? {
                    Some(ns) if terminating_since(&ns).is_some() => {
                        wait_gone(cluster, name, patience).await?;
                    }
                    Some(ns) if is_managed(&ns) || description(&ns) == Some(OURS) => break,
                    Some(_) => bail!(
                        "{what} was created by someone else while bridgectl requested it; \
                         it is left alone. Run again to use it as it is"
                    ),
                    // Gone between the answer and the read: request it again.
                    None => {}
                }
            }
            Err(err) => return Err(err.into()),
        }
    }
    label(cluster, name).await
}

/// Waits, up to the patience's bound, until a terminating namespace is gone.
async fn wait_gone(cluster: &Cluster, name: &str, patience: &Patience<'_>) -> Result<()> {
    let what = format!("project {name}");
    let namespaces = api(&cluster.client, "v1", "Namespace", None)?;
    let started = Instant::now();
    let mut said = false;
    loop {
        let Some(ns) = cluster.call(&what, || namespaces.get_opt(name)).await? else {
            return Ok(());
        };
        let Some(since) = terminating_since(&ns) else {
            return Ok(());
        };
        if started.elapsed() >= patience.timeout {
            bail!(
                "{what} is still terminating (deleted at {since}) after {} s: the cluster is \
                 still removing its content. Run again once `oc get project {name}` finds \
                 nothing, or raise openshift.wait_timeout_secs",
                patience.timeout.as_secs()
            );
        }
        if !said {
            patience.ui.info(format!(
                "{what} is still terminating (deleted at {since}); waiting up to {} s for the \
                 cluster to remove it before requesting it again",
                patience.timeout.as_secs()
            ));
            said = true;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// How often a terminating project is looked at again.
const POLL: Duration = Duration::from_millis(500);

/// When the namespace was deleted, if it is terminating.
pub fn terminating_since(ns: &DynamicObject) -> Option<String> {
    ns.metadata
        .deletion_timestamp
        .as_ref()
        .map(|at| at.0.to_string())
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
