//! bridgectl's read-only client in the master realm. `status` and dry runs sign in with
//! it by the client-credentials grant, which costs Keycloak no password hashing (the
//! admin user's password grant does, on every sign-in). Its service account may only
//! view the configured realm: its settings, its clients (secrets included, to compare
//! them) and its users. step2 makes it; it goes with Keycloak's data on `clean`.

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use super::admin::AdminClient;
use super::clients;
use crate::reconcile::{Gate, Kind, Outcome, Report};
use crate::state::Secret;

pub const CLIENT_ID: &str = "bridgectl-reader";
const MASTER: &str = "master";
/// The roles of the realm's management client (`<realm>-realm` in master) that status
/// needs, and nothing that writes.
const ROLES: [&str; 3] = ["view-realm", "view-clients", "view-users"];

fn desired(secret: &Secret) -> Value {
    json!({
        "clientId": CLIENT_ID,
        "name": "bridgectl (read-only, for status)",
        "enabled": true,
        "protocol": "openid-connect",
        "publicClient": false,
        "secret": secret.expose(),
        "serviceAccountsEnabled": true,
        "standardFlowEnabled": false,
        "implicitFlowEnabled": false,
        "directAccessGrantsEnabled": false,
    })
}

/// The client, then its service account's roles on `realm`, reported as one client.
pub async fn reconcile(
    admin: &AdminClient,
    realm: &str,
    secret: &Secret,
    report: &mut Report,
) -> Result<()> {
    let client = reconcile_client(admin, secret, report.gate()).await?;
    reconcile_roles(admin, realm, client, report).await
}

/// The client alone, in master: it does not need the realm, so step2 makes it while the
/// realm is being created. Its report goes to [`reconcile_roles`].
pub async fn reconcile_client(admin: &AdminClient, secret: &Secret, gate: Gate) -> Result<Report> {
    // One client for every realm of this Keycloak: another run (another realm, same state
    // directory) may create it first, which clients::reconcile takes as found.
    let mut client = Report::new(gate);
    clients::reconcile(admin, MASTER, &desired(secret), &mut client).await?;
    Ok(client)
}

/// The service account's roles on `realm` (which must exist, unless planning), reported
/// with the client's own outcome as one client.
pub async fn reconcile_roles(
    admin: &AdminClient,
    realm: &str,
    mut client: Report,
    report: &mut Report,
) -> Result<()> {
    let created = client.count(Outcome::Created) > 0;
    if created && client.is_plan() {
        // Nothing of it to read yet: its roles come with it.
        report.append(client);
        return Ok(());
    }
    let mut roles = Report::new(report.gate());
    grant_roles(admin, realm, &mut roles).await?;
    if created {
        report.append(client);
    } else {
        client.append(roles);
        report.absorb(Kind::Client, CLIENT_ID, client);
    }
    Ok(())
}

async fn grant_roles(admin: &AdminClient, realm: &str, report: &mut Report) -> Result<()> {
    let management = format!("{realm}-realm");
    let what = format!("the roles of client {CLIENT_ID} on realm {realm}");
    // The realm's management client and the reader's service account, side by side.
    let account = async {
        let reader_id = client_id(admin, CLIENT_ID)
            .await?
            .ok_or_else(|| anyhow!("{what}: client {CLIENT_ID} is not in realm master"))?;
        admin
            .get(
                &format!("/{MASTER}/clients/{reader_id}/service-account-user"),
                &what,
            )
            .await?
            .and_then(|user| user["id"].as_str().map(String::from))
            .ok_or_else(|| anyhow!("{what}: client {CLIENT_ID} has no service account"))
    };
    let (management_id, account) = tokio::join!(client_id(admin, &management), account);
    let Some(management_id) = management_id? else {
        if !report.is_plan() {
            anyhow::bail!(
                "{what}: realm master has no client {management}, which Keycloak makes with \
                 realm {realm}; does realm {realm} exist?"
            );
        }
        // The realm itself is new in this plan; its management client comes with it.
        return report.planned_inside_new_parent(Kind::Client, "roles");
    };
    let account = account?;
    let mappings = format!("/{MASTER}/users/{account}/role-mappings/clients/{management_id}");
    let granted: Vec<String> = admin
        .get(&mappings, &what)
        .await?
        .and_then(|list| list.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|role| role["name"].as_str().map(String::from))
        .collect();
    let missing: Vec<&str> = ROLES
        .into_iter()
        .filter(|role| !granted.iter().any(|g| g == role))
        .collect();
    let details = match missing.is_empty() {
        true => vec![],
        false => vec![format!("serviceAccountRoles: + {}", missing.join(", "))],
    };
    report
        .update_if_differs(Kind::Client, "roles", details, || async {
            let available = admin
                .get(&format!("/{MASTER}/clients/{management_id}/roles"), &what)
                .await?
                .and_then(|list| list.as_array().cloned())
                .unwrap_or_default();
            let wanted: Vec<Value> = available
                .into_iter()
                .filter(|role| missing.iter().any(|m| role["name"] == *m))
                .collect();
            admin.post(&mappings, &Value::Array(wanted), &what).await
        })
        .await?;
    Ok(())
}

/// The internal id of the master realm's client `client_id`.
async fn client_id(admin: &AdminClient, client_id: &str) -> Result<Option<String>> {
    let found = clients::read_by_id(admin, MASTER, client_id).await?;
    Ok(found.and_then(|client| client["id"].as_str().map(String::from)))
}
