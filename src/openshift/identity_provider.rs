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
use super::resources::api;
use crate::reconcile::{Outcome, Report, diff_subset};

/// Names of the providers bridgectl added, so `clean` removes only those.
pub const OWNED_ANNOTATION: &str = "bridgectl.io/identity-providers";
const CONFLICT_RETRIES: usize = 5;

pub async fn ensure(
    cluster: &Cluster,
    entry: &Value,
    empty_oauth: &Value,
    report: &mut Report,
) -> Result<()> {
    let name = entry["name"].as_str().unwrap_or_default().to_string();
    let what = format!("identity provider {name} in oauths/cluster");
    let oauths = api(&cluster.client, "config.openshift.io/v1", "OAuth", None)?;
    let label = format!("cluster#{name}");
    let post = PostParams::default();
    for _ in 0..CONFLICT_RETRIES {
        let Some(mut live) = read_oauth(cluster, &oauths).await? else {
            let mut created: DynamicObject = serde_json::from_value(empty_oauth.clone())
                .map_err(|err| anyhow!("oauth-cluster.yaml: {err}"))?;
            created.data["spec"]["identityProviders"] = Value::Array(vec![entry.clone()]);
            set_owned(&mut created, &name, true);
            if !report.dry_run {
                match cluster
                    .write("create OAuth", || oauths.create(&post, &created))
                    .await
                {
                    Err(kube::Error::Api(status)) if status.code == 409 => continue,
                    other => other.map_err(|e| cluster.explain(e, "oauths/cluster"))?,
                };
            }
            report.record(
                "identityprovider",
                label,
                Outcome::Created,
                vec!["oauths/cluster created".into()],
            );
            return Ok(());
        };

        let owned = owned_names(&live);
        let providers = live.data["spec"]["identityProviders"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let position = providers.iter().position(|p| p["name"] == name.as_str());
        let (outcome, details, updated) = match position {
            None => {
                let mut list = providers.clone();
                list.push(entry.clone());
                (Outcome::Created, vec![], list)
            }
            Some(i) => {
                if !owned.contains(&name) {
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
                    report.record("identityprovider", label, Outcome::Unchanged, vec![]);
                    return Ok(());
                }
                let mut list = providers.clone();
                list[i] = entry.clone();
                let details = if changes.is_empty() {
                    extra
                        .iter()
                        .map(|c| format!("{}: removed", c.path))
                        .collect()
                } else {
                    changes.iter().map(|c| c.describe(SECRET_FIELDS)).collect()
                };
                (Outcome::Updated, details, list)
            }
        };
        if !report.dry_run {
            live.data["spec"]["identityProviders"] = Value::Array(updated);
            set_owned(&mut live, &name, true);
            // The resourceVersion we read stays on the object: a concurrent edit makes this a 409.
            match cluster
                .write("replace OAuth", || oauths.replace("cluster", &post, &live))
                .await
            {
                Err(kube::Error::Api(status)) if status.code == 409 => continue,
                other => other.map_err(|e| cluster.explain(e, "oauths/cluster"))?,
            };
        }
        report.record("identityprovider", label, outcome, details);
        return Ok(());
    }
    bail!(
        "{what}: oauths/cluster kept changing under bridgectl ({CONFLICT_RETRIES} conflicts); run again"
    )
}

/// Removes bridgectl's own entry from oauths/cluster (same read-modify-write as `ensure`);
/// an entry of that name bridgectl did not add is left alone.
pub async fn remove(cluster: &Cluster, name: &str, report: &mut Report) -> Result<()> {
    let oauths = api(&cluster.client, "config.openshift.io/v1", "OAuth", None)?;
    let label = format!("cluster#{name}");
    let post = PostParams::default();
    for _ in 0..CONFLICT_RETRIES {
        let Some(mut live) = read_oauth(cluster, &oauths).await? else {
            report.record("identityprovider", label, Outcome::Absent, vec![]);
            return Ok(());
        };
        let mut providers = live.data["spec"]["identityProviders"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let Some(position) = providers.iter().position(|p| p["name"] == name) else {
            report.record("identityprovider", label, Outcome::Absent, vec![]);
            return Ok(());
        };
        if !owned_names(&live).iter().any(|owned| owned == name) {
            report.record(
                "identityprovider",
                label,
                Outcome::Unchanged,
                vec!["not added by bridgectl: left alone".into()],
            );
            return Ok(());
        }
        if !report.dry_run {
            providers.remove(position);
            live.data["spec"]["identityProviders"] = Value::Array(providers);
            set_owned(&mut live, name, false);
            match cluster
                .write("replace OAuth", || oauths.replace("cluster", &post, &live))
                .await
            {
                Err(kube::Error::Api(status)) if status.code == 409 => continue,
                other => other.map_err(|e| cluster.explain(e, "oauths/cluster"))?,
            };
        }
        report.record("identityprovider", label, Outcome::Deleted, vec![]);
        return Ok(());
    }
    bail!("oauths/cluster kept changing under bridgectl ({CONFLICT_RETRIES} conflicts); run again")
}

async fn read_oauth(
    cluster: &Cluster,
    oauths: &Api<DynamicObject>,
) -> Result<Option<DynamicObject>> {
    cluster
        .call(|| oauths.get_opt("cluster"))
        .await
        .map_err(|e| cluster.explain(e, "oauths/cluster"))
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
