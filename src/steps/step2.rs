//! step2: the realm, its two clients and the users, through Keycloak's admin REST API.

use anyhow::Result;

use crate::context::Context;
use crate::keycloak::{clients, desired, realm, users, version};
use crate::reconcile::{Kind, Report};

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
    if !realm::reconcile(admin, &desired.realm, &mut report).await? {
        plan_realm_contents(&desired, &mut report)?;
        return Ok(report);
    }
    // Clients and users are independent: read (and write) them side by side.
    let mut client_report = ctx.report();
    let mut user_report = ctx.report();
    let clients = async {
        for client in &desired.clients {
            clients::reconcile(admin, realm_name, client, &mut client_report).await?;
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
    let (clients, users) = tokio::join!(clients, users);
    report.append(client_report);
    report.append(user_report);
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
    let mut report = ctx.report();
    let desired = desired::build(&ctx.config, &ctx.state, &ctx.oauth_url().await?)?;
    report.planned_inside_new_parent(Kind::Realm, &ctx.config.keycloak.realm)?;
    plan_realm_contents(&desired, &mut report)?;
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
