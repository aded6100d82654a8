//! The realm itself: created when missing (with its clients and keys, in the same request),
//! its managed settings put back when they drift.

use anyhow::Result;
use serde_json::Value;

use super::admin::{AdminClient, found_after_conflict, is_conflict};
use super::realm_keys::PendingKeys;
use crate::reconcile::{Kind, Live, Outcome, Report, diff_subset};

/// What became of the realm, and so of what goes inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    /// It was there: its clients and users are reconciled one by one.
    Existed,
    /// Created now, its clients with it: only the users remain.
    CreatedWithClients,
    /// A plan would create it: nothing inside can be read.
    WouldBeCreated,
}

/// The realm as Keycloak has it, `None` when it does not exist.
pub async fn read(admin: &AdminClient, desired: &Value) -> Result<Option<Value>> {
    let name = desired["realm"].as_str().unwrap_or_default();
    admin
        .get(&format!("/{name}"), &format!("realm {name}"))
        .await
}

/// What goes into the realm's representation when it is created: one request where a realm
/// and its clients, mappers included, would otherwise take three, and its keys, which
/// Keycloak would otherwise generate inside that request.
pub struct Contents<'a> {
    pub clients: &'a [Value],
    pub keys: &'a PendingKeys,
}

/// `live` is what [`read`] found.
pub async fn reconcile(
    admin: &AdminClient,
    desired: &Value,
    live: Option<Value>,
    contents: Contents<'_>,
    report: &mut Report,
) -> Result<Realm> {
    let mut mine = Report::new(report.gate());
    let realm = match reconcile_once(admin, desired, live, &contents, &mut mine).await {
        // Created after it was read: by a concurrent run, or by a run killed while its
        // request was in flight, which Keycloak finishes. Read it (once it shows) and take
        // it as found.
        Err(err) if is_conflict(&err) => {
            mine = Report::new(report.gate());
            let live = found_after_conflict(err, || read(admin, desired)).await?;
            reconcile_once(admin, desired, Some(live), &contents, &mut mine).await?
        }
        done => done?,
    };
    report.append(mine);
    Ok(realm)
}

async fn reconcile_once(
    admin: &AdminClient,
    desired: &Value,
    live: Option<Value>,
    contents: &Contents<'_>,
    report: &mut Report,
) -> Result<Realm> {
    let clients = contents.clients;
    let name = desired["realm"].as_str().unwrap_or_default().to_string();
    let what = format!("realm {name}");
    let path = format!("/{name}");
    let live = match live {
        None => Live::Absent,
        Some(live) => Live::Differs(
            diff_subset(desired, &live)
                .iter()
                .map(|c| c.describe(&[]))
                .collect(),
        ),
    };
    let create = || async {
        let mut whole = desired.clone();
        whole["clients"] = Value::Array(clients.to_vec());
        // A realm template that brings key providers of its own keeps them.
        if whole.get("components").is_none() {
            whole["components"] = contents.keys.take().await?.components();
        }
        admin.post("", &whole, &what).await.map(drop)
    };
    let (outcome, written) = report
        .converge(Kind::Realm, name, live, create, || {
            admin.put(&path, desired, &what)
        })
        .await?;
    Ok(match (outcome, written) {
        (Outcome::Created, Some(())) => {
            for client in clients {
                let id = client["clientId"].as_str().unwrap_or_default();
                report.created_with_parent(Kind::Client, id);
            }
            Realm::CreatedWithClients
        }
        (Outcome::Created, None) => Realm::WouldBeCreated,
        _ => Realm::Existed,
    })
}
