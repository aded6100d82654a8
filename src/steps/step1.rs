//! step1 in two phases, so that `all` can start what needs only the CA before Keycloak
//! answers: the CA and server certificate, then Keycloak in a container, ready over HTTPS.

use anyhow::Result;

use crate::container;
use crate::context::Context;
use crate::keycloak::{self, server};
use crate::reconcile::Report;
use crate::state::names;
use crate::tls::{self, Material};

pub async fn run(ctx: &Context) -> Result<Report> {
    let mut report = ctx.report();
    let material = certificates(ctx, &mut report).await?;
    keycloak(ctx, &material, &mut report).await?;
    Ok(report)
}

/// The CA and Keycloak's server certificate.
pub async fn certificates(ctx: &Context, report: &mut Report) -> Result<Material> {
    let config = &ctx.config;
    tls::ensure(
        &ctx.state,
        &config.server_cert_names(),
        config.bastion_hostname(),
        report,
    )
    .await
}

/// Keycloak's container with that certificate, from the derived image in optimized mode
/// (built first when its inputs changed); waits until it answers (not in a plan).
/// Returns whether Keycloak can be read now: `false` when a plan would (re)create it.
pub async fn keycloak(ctx: &Context, material: &Material, report: &mut Report) -> Result<bool> {
    let config = &ctx.config;
    let bootstrap = server::Bootstrap {
        admin_password: ctx.state.secret(names::KEYCLOAK_ADMIN_PASSWORD)?,
        admin_client_secret: ctx
            .state
            .secret(&names::client_secret(server::ADMIN_CLIENT_ID))?,
    };
    let engine = ctx.engine().await?;
    ctx.ui
        .detail(format!("container engine at {}", engine.endpoint));
    let writes_before = report.changes.len();
    let replaced_image = match keycloak::image::optimized_build(config) {
        Some(build) => container::ensure_built_image(engine, &build, &ctx.ui, report).await?,
        None => None,
    };
    let spec = server::container_spec(config, material, bootstrap);
    container::ensure(engine, &spec, &ctx.ui, report).await?;
    let waited = report
        .gate()
        .unless_planning(server::wait_ready(
            engine,
            config,
            &material.ca_cert_pem,
            &ctx.ui,
        ))
        .await?;
    if let Some(took) = waited {
        ctx.ui.detail(format!(
            "Keycloak answered at {} after {:.2}s",
            config.keycloak_url(),
            took.as_secs_f64()
        ));
    }
    if let Some(old) = replaced_image {
        container::prune_image(engine, &old, &ctx.ui).await;
    }
    let planned_anew = report.changes[writes_before..]
        .iter()
        .any(|change| change.outcome.is_write());
    Ok(waited.is_some() || !planned_anew)
}
