//! OIDC clients, with their secret, attributes and protocol mappers.

use anyhow::{Result, anyhow};
use serde_json::Value;

use super::admin::{AdminClient, found_after_conflict, is_conflict};
use crate::reconcile::{Kind, Outcome, Report, diff_subset, diff_subset_unordered};

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
    let mut mine = Report::new(report.gate());
    if let Err(err) = reconcile_once(admin, realm, desired, &mut mine).await {
        // Created after it was read: by a concurrent run, or by a run killed with its
        // request in flight that Keycloak finished. Read it again.
        if !is_conflict(&err) {
            return Err(err);
        }
        found_after_conflict(err, || read(admin, realm, desired)).await?;
        mine = Report::new(report.gate());
        reconcile_once(admin, realm, desired, &mut mine).await?;
    }
    report.append(mine);
    Ok(())
}

async fn reconcile_once(
    admin: &AdminClient,
    realm: &str,
    desired: &Value,
    report: &mut Report,
) -> Result<()> {
    let client_id = desired["clientId"].as_str().unwrap_or_default().to_string();
    let what = format!("client {client_id} in realm {realm}");
    let Some(live) = read(admin, realm, desired).await? else {
        let create = || async {
            admin
                .post(&format!("/{realm}/clients"), desired, &what)
                .await
        };
        report
            .apply(Kind::Client, client_id, Outcome::Created, vec![], create)
            .await?;
        return Ok(());
    };
    let id = live["id"]
        .as_str()
        .ok_or_else(|| anyhow!("{what}: Keycloak listed it without an id"))?
        .to_string();

    // The client's settings and each of its mappers are separate writes, reported as
    // one updated client listing every difference.
    let mut settings = desired.clone();
    let mappers = settings
        .as_object_mut()
        .and_then(|o| o.remove("protocolMappers"))
        .unwrap_or(Value::Array(vec![]));
    let mut parts = Report::new(report.gate());

    let changes = diff_subset_unordered(&settings, &live, SET_FIELDS);
    let details = changes.iter().map(|c| c.describe(SECRET_FIELDS)).collect();
    parts
        .update_if_differs(Kind::Client, "settings", details, || async {
            admin
                .put(&format!("/{realm}/clients/{id}"), &settings, &what)
                .await
        })
        .await?;

    let live_mappers = live["protocolMappers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let base = format!("/{realm}/clients/{id}/protocol-mappers/models");
    for mapper in mappers.as_array().into_iter().flatten() {
        let name = mapper["name"].as_str().unwrap_or_default();
        let mapper_what = format!("protocol mapper {name} of {what}");
        let Some(existing) = live_mappers.iter().find(|m| m["name"] == name) else {
            let added = vec![format!("protocolMappers.{name}: added")];
            parts
                .apply(Kind::Client, name, Outcome::Created, added, || {
                    admin.post(&base, mapper, &mapper_what)
                })
                .await?;
            continue;
        };
        let differences = diff_subset(mapper, existing)
            .iter()
            .map(|c| format!("protocolMappers.{name}.{}", c.describe(&[])))
            .collect();
        parts
            .update_if_differs(Kind::Client, name, differences, || async {
                let mut body = mapper.clone();
                body["id"] = existing["id"].clone();
                let mapper_id = existing["id"].as_str().unwrap_or_default();
                admin
                    .put(&format!("{base}/{mapper_id}"), &body, &mapper_what)
                    .await
            })
            .await?;
    }
    report.absorb(Kind::Client, client_id, parts);
    Ok(())
}

/// The client `desired` names, as Keycloak has it; `None` when it does not exist.
async fn read(admin: &AdminClient, realm: &str, desired: &Value) -> Result<Option<Value>> {
    read_by_id(
        admin,
        realm,
        desired["clientId"].as_str().unwrap_or_default(),
    )
    .await
}

/// The client whose `clientId` is `client_id`; `None` when it does not exist.
pub async fn read_by_id(
    admin: &AdminClient,
    realm: &str,
    client_id: &str,
) -> Result<Option<Value>> {
    let found = admin
        .get(
            &format!("/{realm}/clients?clientId={}", urlencode(client_id)),
            &format!("client {client_id} in realm {realm}"),
        )
        .await?;
    Ok(found.and_then(|list| list.as_array().and_then(|a| a.first().cloned())))
}

pub fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
