//! OIDC clients, with their secret, attributes and protocol mappers.

use anyhow::{Result, anyhow};
use serde_json::Value;

use super::admin::AdminClient;
use crate::reconcile::{Outcome, Report, diff_subset, diff_subset_unordered};

/// Fields whose values never appear in a report.
const SECRET_FIELDS: &[&str] = &["secret"];
/// Lists Keycloak keeps as sets and returns in any order.
const SET_FIELDS: &[&str] = &["redirectUris", "webOrigins"];

pub async fn reconcile(
    admin: &AdminClient,
    realm: &str,
    desired: &Value,
    report: &mut Report,
) -> Result<()> {
    let client_id = desired["clientId"].as_str().unwrap_or_default().to_string();
    let what = format!("client {client_id} in realm {realm}");
    let found = admin
        .get(
            &format!("/{realm}/clients?clientId={}", urlencode(&client_id)),
            &what,
        )
        .await?
        .and_then(|list| list.as_array().and_then(|a| a.first().cloned()));

    let Some(live) = found else {
        if !report.dry_run {
            admin
                .post(&format!("/{realm}/clients"), desired, &what)
                .await?;
        }
        report.record("client", client_id, Outcome::Created, vec![]);
        return Ok(());
    };
    let id = live["id"]
        .as_str()
        .ok_or_else(|| anyhow!("{what}: Keycloak listed it without an id"))?
        .to_string();

    let mut settings = desired.clone();
    let mappers = settings
        .as_object_mut()
        .and_then(|o| o.remove("protocolMappers"))
        .unwrap_or(Value::Array(vec![]));
    let mut details: Vec<String> = Vec::new();

    let changes = diff_subset_unordered(&settings, &live, SET_FIELDS);
    if !changes.is_empty() {
        if !report.dry_run {
            admin
                .put(&format!("/{realm}/clients/{id}"), &settings, &what)
                .await?;
        }
        details.extend(changes.iter().map(|c| c.describe(SECRET_FIELDS)));
    }

    let live_mappers = live["protocolMappers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for mapper in mappers.as_array().into_iter().flatten() {
        let name = mapper["name"].as_str().unwrap_or_default();
        let mapper_what = format!("protocol mapper {name} of {what}");
        let base = format!("/{realm}/clients/{id}/protocol-mappers/models");
        match live_mappers.iter().find(|m| m["name"] == name) {
            None => {
                if !report.dry_run {
                    admin.post(&base, mapper, &mapper_what).await?;
                }
                details.push(format!("protocolMappers.{name}: added"));
            }
            Some(existing) => {
                let changes = diff_subset(mapper, existing);
                if changes.is_empty() {
                    continue;
                }
                if !report.dry_run {
                    let mut body = mapper.clone();
                    body["id"] = existing["id"].clone();
                    let mapper_id = existing["id"].as_str().unwrap_or_default();
                    admin
                        .put(&format!("{base}/{mapper_id}"), &body, &mapper_what)
                        .await?;
                }
                details.extend(
                    changes
                        .iter()
                        .map(|c| format!("protocolMappers.{name}.{}", c.describe(&[]))),
                );
            }
        }
    }

    let outcome = if details.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Updated
    };
    report.record("client", client_id, outcome, details);
    Ok(())
}

pub fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
