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

use super::admin::{AdminClient, found_after_conflict, is_conflict};
use super::clients::urlencode;
use super::desired::DesiredUser;
use crate::reconcile::{Gate, Kind, Outcome, Report, diff_subset};
use crate::state::StateDir;

const PAGE: usize = 500;
const RECORDS_FILE: &str = "keycloak/passwords.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PasswordRecord {
    fingerprint: String,
    credential_created: i64,
}

type Records = BTreeMap<String, PasswordRecord>;

/// The realm's users by username.
pub type LiveUsers = HashMap<String, Value>;

/// Whether this state directory ever set a password in `realm`: when not, the realm is
/// most likely new (a hint for work worth starting early, never for what to write).
pub fn ever_set_in(state: &StateDir, realm: &str) -> bool {
    let prefix = format!("{realm}/");
    read_records(state).is_ok_and(|records| records.keys().any(|key| key.starts_with(&prefix)))
}

/// Forgets every password record: for when Keycloak's database went (`clean`), as its
/// users went with it.
pub async fn forget_passwords(state: &StateDir, gate: Gate) -> Result<()> {
    gate.unless_planning(async { state.remove(RECORDS_FILE) })
        .await
        .map(drop)
}

fn read_records(state: &StateDir) -> Result<Records> {
    Ok(state
        .read(RECORDS_FILE)?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default())
}

/// Against `live`, the realm's users read earlier ([`list`]): by the time of the writes it
/// may miss some that were created meanwhile.
pub async fn reconcile(
    admin: &AdminClient,
    realm: &str,
    users: &[DesiredUser],
    live: &LiveUsers,
    state: &StateDir,
    concurrency: usize,
    report: &mut Report,
) -> Result<()> {
    let records = read_records(state)?;
    let gate = report.gate();

    let results: Vec<(usize, Report, Option<PasswordRecord>)> =
        stream::iter(users.iter().enumerate())
            .map(|(index, user)| {
                let key = format!("{realm}/{}", user.username);
                let live = live.get(&user.username);
                let record = records.get(&key);
                async move {
                    let mut mine = Report::new(gate);
                    let record = reconcile_one(admin, realm, user, live, record, &mut mine).await?;
                    Ok::<_, anyhow::Error>((index, mine, record))
                }
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await?;

    let mut ordered = results;
    ordered.sort_by_key(|(index, _, _)| *index);
    let mut updated = records.clone();
    for (index, mine, record) in ordered {
        if let Some(record) = record {
            updated.insert(format!("{realm}/{}", users[index].username), record);
        }
        report.append(mine);
    }
    if updated != records {
        let bytes = serde_json::to_vec_pretty(&updated)?;
        gate.unless_planning(async { state.write_private(RECORDS_FILE, &bytes) })
            .await?;
    }
    Ok(())
}

/// One user into `report`; the fingerprint record of a password it set.
async fn reconcile_one(
    admin: &AdminClient,
    realm: &str,
    user: &DesiredUser,
    live: Option<&Value>,
    record: Option<&PasswordRecord>,
    report: &mut Report,
) -> Result<Option<PasswordRecord>> {
    let what = format!("user {} in realm {realm}", user.username);
    let appeared;
    let live = match live {
        Some(live) => live,
        None => match create(admin, realm, user, &what, report).await {
            Ok(record) => return Ok(record),
            // Created after the list was read: by a concurrent run, or by a run killed
            // with its request in flight that Keycloak finished. Take it as found.
            Err(err) if is_conflict(&err) => {
                appeared =
                    found_after_conflict(err, || find(admin, realm, &user.username, &what)).await?;
                &appeared
            }
            Err(err) => return Err(err),
        },
    };

    let id = live["id"]
        .as_str()
        .ok_or_else(|| anyhow!("{what}: Keycloak listed it without an id"))?;
    // The profile and the password are separate writes, reported as one user.
    let mut parts = Report::new(report.gate());
    let differences = diff_subset(&user.rep, live)
        .iter()
        .map(|c| c.describe(&[]))
        .collect();
    parts
        .update_if_differs(Kind::User, "profile", differences, || async {
            admin
                .put(&format!("/{realm}/users/{id}"), &user.rep, &what)
                .await
        })
        .await?;

    let created = password_created(admin, realm, id, &what).await?;
    let holds = record.is_some_and(|r| {
        r.fingerprint == fingerprint(id, user) && Some(r.credential_created) == created
    });
    let mut new_record = None;
    if !holds {
        let reset = || async {
            admin
                .put(
                    &format!("/{realm}/users/{id}/reset-password"),
                    &password_credential(user),
                    &what,
                )
                .await?;
            fresh_record(admin, realm, id, user, &what).await
        };
        let details = vec!["password: (secret changed)".into()];
        new_record = parts
            .apply(Kind::User, "password", Outcome::Updated, details, reset)
            .await?;
    }
    report.absorb(Kind::User, user.username.clone(), parts);
    Ok(new_record)
}

async fn create(
    admin: &AdminClient,
    realm: &str,
    user: &DesiredUser,
    what: &str,
    report: &mut Report,
) -> Result<Option<PasswordRecord>> {
    let write = || async {
        let mut body = user.rep.clone();
        body["credentials"] = json!([password_credential(user)]);
        let id = admin
            .post(&format!("/{realm}/users"), &body, what)
            .await?
            .ok_or_else(|| anyhow!("{what}: Keycloak created it but did not say its id"))?;
        fresh_record(admin, realm, &id, user, what).await
    };
    let name = user.username.clone();
    report
        .apply(Kind::User, name, Outcome::Created, vec![], write)
        .await
}

/// One user by exact username, with the fields the list gives.
async fn find(
    admin: &AdminClient,
    realm: &str,
    username: &str,
    what: &str,
) -> Result<Option<Value>> {
    let name = urlencode(username);
    let path = format!("/{realm}/users?username={name}&exact=true&briefRepresentation=false");
    let found = admin.get(&path, what).await?;
    Ok(found
        .and_then(|list| list.as_array().cloned())
        .and_then(|list| list.into_iter().find(|u| u["username"] == username)))
}

/// Every user of the realm by username, in pages; `None` when the realm does not exist.
pub async fn list(admin: &AdminClient, realm: &str) -> Result<Option<LiveUsers>> {
    Ok(pages(admin, realm).await?.map(|users| {
        users
            .into_iter()
            .filter_map(|user| Some((user["username"].as_str()?.to_string(), user)))
            .collect()
    }))
}

/// All users of the realm, a page at a time; `None` when the realm does not exist.
async fn pages(admin: &AdminClient, realm: &str) -> Result<Option<Vec<Value>>> {
    let mut users = Vec::new();
    let mut first = 0;
    loop {
        let page = admin
            .get(
                &format!("/{realm}/users?briefRepresentation=false&first={first}&max={PAGE}"),
                &format!("users of realm {realm}"),
            )
            .await?;
        let Some(page) = page else {
            return Ok(None);
        };
        let page = page.as_array().cloned().unwrap_or_default();
        let count = page.len();
        users.extend(page);
        if count < PAGE {
            return Ok(Some(users));
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
