//! `clean` on the cluster: removes exactly what carries bridgectl's label (and its own
//! entry in oauths/cluster); everything else is left as it was.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use kube::api::ListParams;

use super::cluster::Cluster;
use super::objects::{self, MANAGED_BY, MANAGER};
use super::resources::{api, typed};
use super::{identities, identity_provider};
use crate::reconcile::{Kind, Outcome, Report};
use crate::ui::Ui;

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
    remove_signed_in_users(cluster, idp_name, report).await?;
    for (api_version, kind, namespace) in rest {
        remove_labelled(cluster, api_version, kind, *namespace, report).await?;
    }
    Ok(())
}

/// The OpenShift users and identities made when people signed in through our provider.
/// Left behind, they would refuse the same people after a fresh Keycloak (new subject
/// ids): mappingMethod claim does not map a new identity onto an existing user.
async fn remove_signed_in_users(
    cluster: &Cluster,
    idp_name: &str,
    report: &mut Report,
) -> Result<()> {
    let all = identities::of_provider(cluster, idp_name)
        .await?
        .into_iter()
        .map(|identity| identities::Stale {
            identity,
            why: String::new(),
        })
        .collect();
    identities::remove(cluster, all, report).await
}

async fn remove_labelled(
    cluster: &Cluster,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    report: &mut Report,
) -> Result<()> {
    let selector = format!("{MANAGED_BY}={MANAGER}");
    let labelled = ListParams::default().labels(&selector);
    let objects = api(&cluster.client, api_version, kind, namespace)?;
    let what = format!("{kind}s labelled {selector}");
    let found = cluster.call(&what, || objects.list(&labelled)).await?;
    if found.items.is_empty() {
        report.found(
            Kind::of_cluster_object(kind)?,
            "*",
            Outcome::Absent,
            vec![format!("none labelled {selector}")],
        );
    }
    for object in found.items {
        if object.metadata.deletion_timestamp.is_some() {
            // Deleted by an earlier clean; deleting again would be refused (409).
            report.found(
                Kind::of_cluster_object(kind)?,
                object.metadata.name.unwrap_or_default(),
                Outcome::Unchanged,
                vec![TERMINATING.into()],
            );
            continue;
        }
        objects::remove(cluster, &typed(object, api_version, kind), report).await?;
    }
    Ok(())
}

const TERMINATING: &str = "terminating: the cluster is removing its content";

/// After the deletes: the projects still terminating get a word in the report, and with
/// `wait` (its bound) clean waits until the cluster has removed them.
pub async fn settle_projects(
    cluster: &Cluster,
    wait: Option<Duration>,
    ui: &Ui,
    report: &mut Report,
) -> Result<()> {
    let started = Instant::now();
    let mut said = false;
    loop {
        let left = terminating_projects(cluster).await?;
        if left.is_empty() {
            return Ok(());
        }
        let Some(bound) = wait else {
            for change in report.changes.iter_mut() {
                if change.kind == Kind::Project && left.contains(&change.name) {
                    change.details.push(TERMINATING.into());
                }
            }
            ui.info(format!(
                "still terminating: {}. `all` waits for them by itself; `clean --wait` waits \
                 here",
                left.join(", ")
            ));
            return Ok(());
        };
        if started.elapsed() >= bound {
            bail!(
                "projects {} are still terminating after {} s; the cluster is still removing \
                 their content (openshift.wait_timeout_secs)",
                left.join(", "),
                bound.as_secs()
            );
        }
        if !said {
            ui.info(format!(
                "waiting for the cluster to remove {}",
                left.join(", ")
            ));
            said = true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// bridgectl's namespaces that are terminating.
async fn terminating_projects(cluster: &Cluster) -> Result<Vec<String>> {
    let selector = format!("{MANAGED_BY}={MANAGER}");
    let labelled = ListParams::default().labels(&selector);
    let namespaces = api(&cluster.client, "v1", "Namespace", None)?;
    let found = cluster
        .call("terminating projects", || namespaces.list(&labelled))
        .await?;
    Ok(found
        .items
        .into_iter()
        .filter(|ns| ns.metadata.deletion_timestamp.is_some())
        .filter_map(|ns| ns.metadata.name)
        .collect())
}
