//! `clean` on the cluster: removes exactly what carries bridgectl's label (and its own
//! entry in oauths/cluster); everything else is left as it was.

use anyhow::Result;
use kube::api::ListParams;

use super::cluster::Cluster;
use super::objects::{self, MANAGED_BY, MANAGER};
use super::resources::{api, typed};
use super::{identities, identity_provider};
use crate::reconcile::{Kind, Outcome, Report};

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
        objects::remove(cluster, &typed(object, api_version, kind), report).await?;
    }
    Ok(())
}
