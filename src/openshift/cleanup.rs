//! `clean` on the cluster: removes exactly what carries bridgectl's label (and its own
//! entry in oauths/cluster); everything else is left as it was.

use anyhow::Result;
use kube::api::{DynamicObject, ListParams, TypeMeta};

use super::cluster::Cluster;
use super::identity_provider;
use super::objects::{self, MANAGED_BY, MANAGER};
use super::resources::api;
use crate::reconcile::{Kind, Outcome, Report};

const USERS_API: &str = "user.openshift.io/v1";

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
    let what = format!("identities of provider {idp_name}");
    let identities = api(&cluster.client, USERS_API, "Identity", None)?;
    let all = ListParams::default();
    let ours: Vec<DynamicObject> = cluster
        .call(&what, || identities.list(&all))
        .await?
        .items
        .into_iter()
        .filter(|identity| identity.data["providerName"] == idp_name)
        .collect();
    let our_names: Vec<String> = ours
        .iter()
        .filter_map(|i| i.metadata.name.clone())
        .collect();
    let users = api(&cluster.client, USERS_API, "User", None)?;
    for identity in &ours {
        objects::remove(
            cluster,
            &typed(identity.clone(), USERS_API, "Identity"),
            report,
        )
        .await?;
        let Some(user_name) = identity.data["user"]["name"].as_str() else {
            continue;
        };
        let Some(user) = cluster
            .call(&format!("user {user_name}"), || users.get_opt(user_name))
            .await?
        else {
            continue;
        };
        // A user who also signs in some other way keeps their account.
        let only_ours = user.data["identities"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|id| {
                id.as_str()
                    .is_some_and(|id| our_names.iter().any(|n| n == id))
            });
        if only_ours {
            objects::remove(cluster, &typed(user, USERS_API, "User"), report).await?;
        }
    }
    Ok(())
}

/// List items come without their kind.
fn typed(mut object: DynamicObject, api_version: &str, kind: &str) -> DynamicObject {
    object.types = Some(TypeMeta {
        api_version: api_version.into(),
        kind: kind.into(),
    });
    object
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
