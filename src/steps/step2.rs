//! step2: the realm, its two clients and the users, through Keycloak's admin REST API.

use anyhow::{Result, bail};

use crate::context::Context;
use crate::keycloak::admin::AdminClient;
use crate::keycloak::{clients, desired, realm, users};
use crate::reconcile::Report;
use crate::retry::Backoff;
use crate::state::names;
use crate::tls;

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = Report::new(ctx.dry_run);
    let Some(ca_pem) = ctx.state.read(tls::CA_CERT)? else {
        bail!(
            "no CA in the state directory {}; run `bridgectl step1` first",
            ctx.state.root().display()
        );
    };
    let ca_pem = String::from_utf8_lossy(&ca_pem).into_owned();
    let oauth_url = crate::openshift::oauth_url(config).await?;
    let desired = desired::build(config, &ctx.state, &oauth_url)?;
    let admin = AdminClient::connect(
        &config.keycloak_local_url(),
        &ca_pem,
        &config.keycloak.admin_username,
        ctx.state.secret(names::KEYCLOAK_ADMIN_PASSWORD)?,
        Backoff::SERVER,
    )
    .await?;

    let realm_name = &config.keycloak.realm;
    realm::reconcile(&admin, &desired.realm, &mut report).await?;
    if ctx.dry_run
        && report
            .changes
            .last()
            .is_some_and(|c| c.outcome == crate::reconcile::Outcome::Created)
    {
        // Nothing inside a realm that does not exist yet can be read: all of it is new.
        for client in &desired.clients {
            let id = client["clientId"].as_str().unwrap_or_default();
            report.record("client", id, crate::reconcile::Outcome::Created, vec![]);
        }
        for user in &desired.users {
            report.record(
                "user",
                &user.username,
                crate::reconcile::Outcome::Created,
                vec![],
            );
        }
        return Ok(report);
    }
    for client in &desired.clients {
        clients::reconcile(&admin, realm_name, client, &mut report).await?;
    }
    users::reconcile(
        &admin,
        realm_name,
        &desired.users,
        &ctx.state,
        config.keycloak.admin_concurrency,
        &mut report,
    )
    .await?;
    ctx.ui.detail(format!(
        "Keycloak admin API: {} write requests",
        admin.writes()
    ));
    Ok(report)
}
