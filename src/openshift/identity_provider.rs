//! bridgectl's entry in `oauths.config.openshift.io/cluster`.
//!
//! `spec.identityProviders` is an atomic list: a server-side apply of a list holding only
//! our provider would delete everybody else's. So: read the object, change only our entry
//! (or append it), write it back with the resourceVersion we read, and start over on a
//! conflict. Other providers keep their content and their order.

use anyhow::{Result, anyhow, bail};
use kube::api::{Api, DynamicObject, PostParams};
use serde_json::Value;

use super::cluster::Cluster;
use super::objects::SECRET_FIELDS;
use super::optimistic::{Attempt, settled, until_settled};
use super::resources::api;
use crate::reconcile::{Kind, Outcome, Report, diff_subset};

/// Names of the providers bridgectl added, so `clean` removes only those.
pub const OWNED_ANNOTATION: &str = "bridgectl.io/identity-providers";
const OAUTH: &str = "oauths/cluster";

pub async fn ensure(
    cluster: &Cluster,
    entry: &Value,
    empty_oauth: &Value,
    report: &mut Report,
) -> Result<()> {
    let name = entry["name"].as_str().unwrap_or_default().to_string();
    let what = format!("identity provider {name} in {OAUTH}");
    let oauths = api(&cluster.client, "config.openshift.io/v1", "OAuth", None)?;
    let label = format!("cluster#{name}");
    let post = PostParams::default();
    until_settled(&what, async || {
        let Some(mut live) = cluster.call(OAUTH, || oauths.get_opt("cluster")).await? else {
            let mut created: DynamicObject = serde_json::from_value(empty_oauth.clone())
                .map_err(|err| anyhow!("oauth-cluster.yaml: {err}"))?;
            created.data["spec"]["identityProviders"] = Value::Array(vec![entry.clone()]);
            set_owned(&mut created, &name, true);
            let details = vec![format!("{OAUTH} created")];
            let written = report
                .apply(Kind::IdentityProvider, &label, Outcome::Created, details, || {
                    cluster.write(OAUTH, "create OAuth", || oauths.create(&post, &created))
                })
                .await;
            return settled(written);
        };

        let providers = live.data["spec"]["identityProviders"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let position = providers.iter().position(|p| p["name"] == name.as_str());
        let mut list = providers.clone();
        let (outcome, details) = match position {
            None => {
                list.push(entry.clone());
                (Outcome::Created, vec![])
            }
            Some(i) => {
                if !owned_names(&live).contains(&name) {
                    bail!(
                        "{what} exists but was not added by bridgectl, so bridgectl leaves it alone. \
                         Choose another name with openshift.idp_name, or remove that entry \
                         (`oc edit oauth cluster`)"
                    );
                }
                // Compare both ways: a field removed from our template must go too.
                let changes = diff_subset(entry, &providers[i]);
                let extra = diff_subset(&providers[i], entry);
                if changes.is_empty() && extra.is_empty() {
                    report.found(Kind::IdentityProvider, &label, Outcome::Unchanged, vec![]);
                    return Ok(Attempt::Done(None));
                }
                list[i] = entry.clone();
                let details = if changes.is_empty() {
                    extra
                        .iter()
                        .map(|c| format!("{}: removed", c.path))
                        .collect()
                } else {
                    changes.iter().map(|c| c.describe(SECRET_FIELDS)).collect()
                };
                (Outcome::Updated, details)
            }
        };
        live.data["spec"]["identityProviders"] = Value::Array(list);
        set_owned(&mut live, &name, true);
        let written = report
            .apply(Kind::IdentityProvider, &label, outcome, details, || {
                replace_oauth(cluster, &oauths, &live)
            })
            .await;
        settled(written)
    })
    .await
    .map(drop)
}

/// Removes bridgectl's own entry from oauths/cluster (same read-modify-write as `ensure`);
/// an entry of that name bridgectl did not add is left alone.
pub async fn remove(cluster: &Cluster, name: &str, report: &mut Report) -> Result<()> {
    let oauths = api(&cluster.client, "config.openshift.io/v1", "OAuth", None)?;
    let label = format!("cluster#{name}");
    until_settled(OAUTH, async || {
        let live = cluster.call(OAUTH, || oauths.get_opt("cluster")).await?;
        let Some(mut live) = live else {
            report.found(Kind::IdentityProvider, &label, Outcome::Absent, vec![]);
            return Ok(Attempt::Done(()));
        };
        let mut providers = live.data["spec"]["identityProviders"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let Some(position) = providers.iter().position(|p| p["name"] == name) else {
            report.found(Kind::IdentityProvider, &label, Outcome::Absent, vec![]);
            return Ok(Attempt::Done(()));
        };
        if !owned_names(&live).iter().any(|owned| owned == name) {
            report.found(
                Kind::IdentityProvider,
                &label,
                Outcome::Unchanged,
                vec!["not added by bridgectl: left alone".into()],
            );
            return Ok(Attempt::Done(()));
        }
        providers.remove(position);
        live.data["spec"]["identityProviders"] = Value::Array(providers);
        set_owned(&mut live, name, false);
        let written = report
            .apply(
                Kind::IdentityProvider,
                &label,
                Outcome::Deleted,
                vec![],
                || replace_oauth(cluster, &oauths, &live),
            )
            .await;
        settled(written.map(drop))
    })
    .await
}

/// The resourceVersion read stays on the object: a concurrent edit makes this a 409.
async fn replace_oauth(
    cluster: &Cluster,
    oauths: &Api<DynamicObject>,
    oauth: &DynamicObject,
) -> Result<DynamicObject, super::cluster::ClusterError> {
    let post = PostParams::default();
    cluster
        .write(OAUTH, "replace OAuth", || {
            oauths.replace("cluster", &post, oauth)
        })
        .await
}

fn owned_names(oauth: &DynamicObject) -> Vec<String> {
    oauth
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(OWNED_ANNOTATION))
        .map(|v| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn set_owned(oauth: &mut DynamicObject, name: &str, owned: bool) {
    let mut names = owned_names(oauth);
    names.retain(|n| n != name);
    if owned {
        names.push(name.to_string());
    }
    oauth
        .metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(OWNED_ANNOTATION.into(), names.join(","));
}
