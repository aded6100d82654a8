//! step2: the realm, its two clients and the users, through Keycloak's admin REST API.

use anyhow::Result;

use crate::context::Context;
use crate::keycloak::admin::AdminClient;
use crate::keycloak::{clients, desired, realm, users};
use crate::reconcile::{Outcome, Report};
use crate::retry::Backoff;
use crate::state::names;

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = Report::new(ctx.dry_run);
    let ca_pem = ctx.ca_pem()?;
    let oauth_url = crate::openshift::oauth_url(config).await?;
    let desired = desired::build(config, &ctx.state, &oauth_url)?;
    let admin = AdminClient::connect(
        &config.keycloak_local_url(),
        &ca_pem,
        &config.keycloak.admin_username,
        ctx.state.secret(names::KEYCLOAK_ADMIN_PASSWORD)?,
        Backoff::SERVER,
    )
    .await?
    .riding_out_restarts(Backoff::RESTART);

    let realm_name = &config.keycloak.realm;
    realm::reconcile(&admin, &desired.realm, &mut report).await?;
    if ctx.dry_run
        && report
            .changes
            .last()
            .is_some_and(|c| c.outcome == Outcome::Created)
    {
        plan_realm_contents(&desired, &mut report);
        return Ok(report);
    }
    // Clients and users are independent: read (and write) them side by side.
    let mut client_report = Report::new(ctx.dry_run);
    let mut user_report = Report::new(ctx.dry_run);
    let clients = async {
        for client in &desired.clients {
            clients::reconcile(&admin, realm_name, client, &mut client_report).await?;
        }
        anyhow::Ok(())
    };
    let users = users::reconcile(
        &admin,
        realm_name,
        &desired.users,
        &ctx.state,
        config.keycloak.admin_concurrency,
        &mut user_report,
    );
    let (clients, users) = tokio::join!(clients, users);
    report.changes.extend(client_report.changes);
    report.changes.extend(user_report.changes);
    clients?;
    users?;
    ctx.ui.detail(format!(
        "Keycloak admin API: {} write requests",
        admin.writes()
    ));
    Ok(report)
}

/// The plan when Keycloak is not running yet (a dry run before step1 ever ran): the realm
/// and everything in it would be created.
pub async fn plan_on_new_keycloak(ctx: &Context) -> Result<Report> {
    let mut report = Report::new(true);
    let oauth_url = crate::openshift::oauth_url(&ctx.config).await?;
    let desired = desired::build(&ctx.config, &ctx.state, &oauth_url)?;
    report.record(
        "realm",
        &ctx.config.keycloak.realm,
        Outcome::Created,
        vec![],
    );
    plan_realm_contents(&desired, &mut report);
    Ok(report)
}

/// Nothing inside a realm that does not exist yet can be read: all of it is new.
fn plan_realm_contents(desired: &desired::Desired, report: &mut Report) {
    for client in &desired.clients {
        let id = client["clientId"].as_str().unwrap_or_default();
        report.record("client", id, Outcome::Created, vec![]);
    }
    for user in &desired.users {
        report.record("user", &user.username, Outcome::Created, vec![]);
    }
}
