//! step1: the CA and server certificate, then Keycloak in a container, ready over HTTPS.

use anyhow::Result;

use crate::container::{self, Engine};
use crate::context::Context;
use crate::keycloak::server;
use crate::reconcile::Report;
use crate::state::names;
use crate::tls;

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = Report::new(ctx.dry_run);
    let material = tls::ensure(
        &ctx.state,
        &config.server_cert_names(),
        config.bastion_hostname(),
        &mut report,
    )?;
    let admin_password = ctx.state.secret(names::KEYCLOAK_ADMIN_PASSWORD)?;
    let engine = Engine::connect().await?;
    ctx.ui
        .detail(format!("container engine at {}", engine.endpoint));
    let spec = server::container_spec(config, &material, &admin_password);
    container::ensure(&engine, &spec, &ctx.ui, &mut report).await?;
    if !ctx.dry_run {
        let took = server::wait_ready(&engine, config, &material.ca_cert_pem, &ctx.ui).await?;
        ctx.ui.detail(format!(
            "Keycloak answered at {} after {:.2}s",
            config.keycloak_url(),
            took.as_secs_f64()
        ));
    }
    Ok(report)
}
