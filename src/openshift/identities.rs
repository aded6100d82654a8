//! The users and identities OpenShift's OAuth server makes when people sign in through
//! bridgectl's identity provider (`<provider>:<subject>`, mapped to the user named by the
//! preferred username). `clean` removes them all; step3 removes those whose subject is no
//! longer that user's id in Keycloak, since `mappingMethod: claim` refuses to map the new
//! subject onto a user that already has an identity ("... because it is already mapped to ...").

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use kube::api::{DynamicObject, ListParams, Patch, PatchParams};
use serde_json::json;

use super::cluster::Cluster;
use super::objects;
use super::resources::{api, typed};
use crate::reconcile::{Kind, Outcome, Report};

const USERS_API: &str = "user.openshift.io/v1";

/// Every identity of the provider `idp_name`; none on a cluster without OpenShift's user
/// API (plain Kubernetes), where no OAuth server makes them.
pub async fn of_provider(cluster: &Cluster, idp_name: &str) -> Result<Vec<DynamicObject>> {
    let identities = api(&cluster.client, USERS_API, "Identity", None)?;
    let all = ListParams::default();
    let listed = match cluster
        .call(&format!("identities of provider {idp_name}"), || {
            identities.list(&all)
        })
        .await
    {
        Ok(listed) => listed,
        Err(err) if err.is_not_found() => return Ok(Vec::new()),
        Err(err) => return Err(err.into()),
    };
    Ok(listed
        .items
        .into_iter()
        .filter(|identity| identity.data["providerName"] == idp_name)
        .map(|identity| typed(identity, USERS_API, "Identity"))
        .collect())
}

/// A stale identity and why it is stale.
pub struct Stale {
    pub identity: DynamicObject,
    pub why: String,
}

/// The identities of `users` (configured usernames) whose subject is not that user's id
/// in Keycloak (`ids`: username → id). Identities of anyone else are not looked at.
pub fn stale(
    identities: Vec<DynamicObject>,
    users: &[String],
    ids: &BTreeMap<String, String>,
) -> Vec<Stale> {
    identities
        .into_iter()
        .filter_map(|identity| {
            let user = identity.data["user"]["name"].as_str()?.to_string();
            let subject = identity.data["providerUserName"].as_str().unwrap_or("");
            if !users.contains(&user) {
                return None;
            }
            let why = match ids.get(&user) {
                Some(id) if id == subject => return None,
                Some(id) => format!("{user} is now {id} in Keycloak, not {subject}"),
                None => format!("{user} no longer exists in Keycloak"),
            };
            Some(Stale { identity, why })
        })
        .collect()
}

/// Removes the identities, each with `why` in the report, then takes them off their users:
/// a user left with no identity is removed too (the next sign-in makes it again, with the
/// same name, so bindings by name still hold); a user who also signs in some other way
/// keeps their account and their other identities.
pub async fn remove(cluster: &Cluster, doomed: Vec<Stale>, report: &mut Report) -> Result<()> {
    let names: BTreeSet<String> = doomed
        .iter()
        .filter_map(|stale| stale.identity.metadata.name.clone())
        .collect();
    let mut users_done = BTreeSet::new();
    for Stale { identity, why } in doomed {
        objects::remove(cluster, &identity, report).await?;
        if !why.is_empty()
            && let Some(change) = report.changes.last_mut()
        {
            change.details.push(why);
        }
        let Some(user_name) = identity.data["user"]["name"].as_str() else {
            continue;
        };
        if users_done.insert(user_name.to_string()) {
            release_user(cluster, user_name, &names, report).await?;
        }
    }
    Ok(())
}

/// Takes the removed identities `gone` off the user's list, or removes the user when none
/// of its identities is left.
async fn release_user(
    cluster: &Cluster,
    user_name: &str,
    gone: &BTreeSet<String>,
    report: &mut Report,
) -> Result<()> {
    let users = api(&cluster.client, USERS_API, "User", None)?;
    let what = format!("user {user_name}");
    let Some(user) = cluster.call(&what, || users.get_opt(user_name)).await? else {
        return Ok(());
    };
    let listed: Vec<String> = user.data["identities"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str().map(String::from))
        .collect();
    let kept: Vec<&String> = listed.iter().filter(|id| !gone.contains(*id)).collect();
    if kept.is_empty() {
        return objects::remove(cluster, &typed(user, USERS_API, "User"), report).await;
    }
    if kept.len() == listed.len() {
        return Ok(());
    }
    let patch = Patch::Merge(json!({ "identities": kept }));
    let params = PatchParams::default();
    let detail = format!("keeps its other identities: {}", join(&kept));
    report
        .apply(
            Kind::User,
            user_name,
            Outcome::Updated,
            vec![detail],
            || {
                cluster.write(&what, "patch User", || {
                    users.patch(user_name, &params, &patch)
                })
            },
        )
        .await?;
    Ok(())
}

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|name| name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
