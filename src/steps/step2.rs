//! step2: the realm, its two clients and the users, through Keycloak's admin REST API;
//! and bridgectl's read-only client in the master realm, for `status`.

use anyhow::Result;

use crate::context::Context;
use crate::keycloak::realm::Realm;
use crate::keycloak::{clients, desired, reader, realm, users, version};
use crate::reconcile::{Kind, Outcome, Report};
use crate::state::names;

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = ctx.report();
    let desired = desired::build(config, &ctx.state, &ctx.oauth_url().await?)?;
    let admin = ctx.keycloak_admin().await?;
    let info = admin.server_info().await?;
    let reported = info["systemInfo"]["version"].as_str().unwrap_or_default();
    if let Some(warning) = version::check(reported, &config.keycloak.features)? {
        ctx.ui.warn(warning);
    }

    let realm_name = &config.keycloak.realm;
    let reader_secret = ctx.state.secret(&names::client_secret(reader::CLIENT_ID))?;
    let realm = realm::reconcile(admin, &desired.realm, &desired.clients, &mut report).await?;
    if realm == Realm::WouldBeCreated {
        plan_realm_contents(&desired, &mut report)?;
        reader::reconcile(admin, realm_name, &reader_secret, &mut report).await?;
        return Ok(report);
    }
    // Clients, users and the read-only client are independent: read (and write) them side
    // by side. A realm created now came with its clients.
    let mut client_report = ctx.report();
    let mut user_report = ctx.report();
    let mut reader_report = ctx.report();
    let clients = async {
        if realm == Realm::Existed {
            for client in &desired.clients {
                clients::reconcile(admin, realm_name, client, &mut client_report).await?;
            }
        }
        anyhow::Ok(())
    };
    let users = users::reconcile(
        admin,
        realm_name,
        &desired.users,
        &ctx.state,
        config.keycloak.admin_concurrency,
        &mut user_report,
    );
    let reader = async {
        // Signed in as the read-only client (status, a dry run): that it works shows the
        // client there with our secret, and its roles are seen once everything read.
        if !admin.signs_in_as(reader::CLIENT_ID) {
            reader::reconcile(admin, realm_name, &reader_secret, &mut reader_report).await?;
        }
        anyhow::Ok(())
    };
    let (clients, users, reader) = tokio::join!(clients, users, reader);
    clients?;
    users?;
    reader?;
    if admin.signs_in_as(reader::CLIENT_ID) {
        reader_report.found(Kind::Client, reader::CLIENT_ID, Outcome::Unchanged, vec![]);
    } else if reader_report.changes.is_empty() {
        // It read as the reader at first, then needed the admin for something.
        reader::reconcile(admin, realm_name, &reader_secret, &mut reader_report).await?;
    }
    report.append(client_report);
    report.append(user_report);
    report.append(reader_report);
    ctx.ui.detail(format!(
        "Keycloak admin API: {} write requests",
        admin.writes()
    ));
    Ok(report)
}

/// The plan when Keycloak is not running yet (a dry run before step1 ever ran): the realm
/// and everything in it would be created.
pub async fn plan_on_new_keycloak(ctx: &Context) -> Result<Report> {
    let mut report = ctx.report();
    let desired = desired::build(&ctx.config, &ctx.state, &ctx.oauth_url().await?)?;
    report.planned_inside_new_parent(Kind::Realm, &ctx.config.keycloak.realm)?;
    plan_realm_contents(&desired, &mut report)?;
    report.planned_inside_new_parent(Kind::Client, reader::CLIENT_ID)?;
    Ok(report)
}

/// Nothing inside a realm that does not exist yet can be read: all of it is new.
fn plan_realm_contents(desired: &desired::Desired, report: &mut Report) -> Result<()> {
    for client in &desired.clients {
        let id = client["clientId"].as_str().unwrap_or_default();
        report.planned_inside_new_parent(Kind::Client, id)?;
    }
    for user in &desired.users {
        report.planned_inside_new_parent(Kind::User, &user.username)?;
    }
    Ok(())
}
