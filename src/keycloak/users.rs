//! User accounts: profile fields and password. Users are the part that grows, so they are
//! read in pages and reconciled with bounded concurrency.
//!
//! Keycloak never shows a password, so to tell whether one still holds bridgectl keeps,
//! per user, a fingerprint of what it set (SHA-256 over user id and password) and the
//! credential's creation time. A password changed in the admin console gets a new creation
//! time and is put back on the next run.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, anyhow};
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::admin::AdminClient;
use super::desired::DesiredUser;
use crate::reconcile::{Change, Outcome, Report, diff_subset};
use crate::state::StateDir;

const PAGE: usize = 500;
const RECORDS_FILE: &str = "keycloak/passwords.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PasswordRecord {
    fingerprint: String,
    credential_created: i64,
}

type Records = BTreeMap<String, PasswordRecord>;

pub async fn reconcile(
    admin: &AdminClient,
    realm: &str,
    users: &[DesiredUser],
    state: &StateDir,
    concurrency: usize,
    report: &mut Report,
) -> Result<()> {
    let live = list_all(admin, realm).await?;
    let records: Records = state
        .read(RECORDS_FILE)?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let dry_run = report.dry_run;

    let results: Vec<(usize, Change, Option<PasswordRecord>)> =
        stream::iter(users.iter().enumerate())
            .map(|(index, user)| {
                let key = format!("{realm}/{}", user.username);
                let live = live.get(&user.username);
                let record = records.get(&key);
                async move {
                    let (change, record) =
                        reconcile_one(admin, realm, user, live, record, dry_run).await?;
                    Ok::<_, anyhow::Error>((index, change, record))
                }
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await?;

    let mut ordered = results;
    ordered.sort_by_key(|(index, _, _)| *index);
    let mut updated = records.clone();
    for (index, change, record) in ordered {
        if let Some(record) = record {
            updated.insert(format!("{realm}/{}", users[index].username), record);
        }
        report.changes.push(change);
    }
    if updated != records {
        state.write_private(RECORDS_FILE, &serde_json::to_vec_pretty(&updated)?)?;
    }
    Ok(())
}

async fn reconcile_one(
    admin: &AdminClient,
    realm: &str,
    user: &DesiredUser,
    live: Option<&Value>,
    record: Option<&PasswordRecord>,
    dry_run: bool,
) -> Result<(Change, Option<PasswordRecord>)> {
    let what = format!("user {} in realm {realm}", user.username);
    let change = |outcome, details| Change {
        kind: "user".into(),
        name: user.username.clone(),
        outcome,
        details,
    };
    let Some(live) = live else {
        if dry_run {
            return Ok((change(Outcome::Created, vec![]), None));
        }
        let mut body = user.rep.clone();
        body["credentials"] = json!([password_credential(user)]);
        let id = admin
            .post(&format!("/{realm}/users"), &body, &what)
            .await?
            .ok_or_else(|| anyhow!("{what}: Keycloak created it but did not say its id"))?;
        let record = fresh_record(admin, realm, &id, user, &what).await?;
        return Ok((change(Outcome::Created, vec![]), Some(record)));
    };

    let id = live["id"]
        .as_str()
        .ok_or_else(|| anyhow!("{what}: Keycloak listed it without an id"))?;
    let mut details: Vec<String> = Vec::new();
    let changes = diff_subset(&user.rep, live);
    if !changes.is_empty() {
        if !dry_run {
            admin
                .put(&format!("/{realm}/users/{id}"), &user.rep, &what)
                .await?;
        }
        details.extend(changes.iter().map(|c| c.describe(&[])));
    }

    let created = password_created(admin, realm, id, &what).await?;
    let holds = record.is_some_and(|r| {
        r.fingerprint == fingerprint(id, user) && Some(r.credential_created) == created
    });
    let mut new_record = None;
    if !holds {
        details.push("password: (secret changed)".into());
        if !dry_run {
            admin
                .put(
                    &format!("/{realm}/users/{id}/reset-password"),
                    &password_credential(user),
                    &what,
                )
                .await?;
            new_record = Some(fresh_record(admin, realm, id, user, &what).await?);
        }
    }
    let outcome = if details.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Updated
    };
    Ok((change(outcome, details), new_record))
}

/// Every user of the realm by username, in pages.
async fn list_all(admin: &AdminClient, realm: &str) -> Result<HashMap<String, Value>> {
    let mut users = HashMap::new();
    let mut first = 0;
    loop {
        let page = admin
            .get(
                &format!("/{realm}/users?briefRepresentation=false&first={first}&max={PAGE}"),
                &format!("users of realm {realm}"),
            )
            .await?
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        let count = page.len();
        for user in page {
            if let Some(name) = user["username"].as_str() {
                users.insert(name.to_string(), user.clone());
            }
        }
        if count < PAGE {
            return Ok(users);
        }
        first += PAGE;
    }
}

async fn password_created(
    admin: &AdminClient,
    realm: &str,
    id: &str,
    what: &str,
) -> Result<Option<i64>> {
    let credentials = admin
        .get(&format!("/{realm}/users/{id}/credentials"), what)
        .await?
        .unwrap_or_default();
    Ok(credentials.as_array().and_then(|list| {
        list.iter()
            .find(|c| c["type"] == "password")
            .and_then(|c| c["createdDate"].as_i64())
    }))
}

async fn fresh_record(
    admin: &AdminClient,
    realm: &str,
    id: &str,
    user: &DesiredUser,
    what: &str,
) -> Result<PasswordRecord> {
    let created = password_created(admin, realm, id, what)
        .await?
        .ok_or_else(|| anyhow!("{what}: the password was set but Keycloak lists no password"))?;
    Ok(PasswordRecord {
        fingerprint: fingerprint(id, user),
        credential_created: created,
    })
}

fn password_credential(user: &DesiredUser) -> Value {
    json!({"type": "password", "value": user.password.expose(), "temporary": false})
}

fn fingerprint(id: &str, user: &DesiredUser) -> String {
    let mut hasher = Sha256::new();
    hasher.update(id.as_bytes());
    hasher.update(b":");
    hasher.update(user.password.expose().as_bytes());
    hex::encode(hasher.finalize())
}
