//! step4: the demo app, which bridgectl carries, packaged with exactly what it needs to
//! start onto the configured base image (`scratch` by default: nothing to pull), then run
//! as a container with the environment it needs, ready on its /health.

use std::time::Duration;

use anyhow::Result;

use crate::container::{self, KnownDigests, Readiness};
use crate::context::Context;
use crate::demo_app::container::{self as app, AppSecrets};
use crate::demo_app::payload::Payload;
use crate::reconcile::Report;
use crate::state::names;

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = ctx.report();
    // Reading and hashing the payload (tens of megabytes) blocks: off the async threads,
    // and beside the cluster reads. Files unchanged since the image was built from them
    // are not read at all: the image's labels know their digests.
    let binary = config.app.binary.clone();
    let payload = async {
        let known = match ctx.engine().await {
            Ok(engine) => KnownDigests::of_image(engine, &config.app.image).await,
            Err(_) => KnownDigests::default(),
        };
        tokio::task::spawn_blocking(move || match binary {
            Some(binary) => Payload::prebuilt(&binary, &known),
            None => Payload::carried(&known),
        })
        .await
    };
    let (upstreams, engine, payload) = tokio::join!(ctx.upstreams(), ctx.engine(), payload);
    let (upstreams, engine, payload) = (upstreams?, engine?, payload??);
    let kc = &config.keycloak;
    let secrets = AppSecrets {
        app_client: ctx.state.secret(&names::client_secret(&kc.app_client_id))?,
        ocp_client: ctx.state.secret(&names::client_secret(&kc.ocp_client_id))?,
        oauth_client: ctx.state.secret(&names::oauth_client_secret(
            &config.openshift.oauth_client_name,
        ))?,
        session_key: ctx.state.secret(names::DEMO_APP_SESSION_KEY)?,
    };
    ctx.ui.detail(format!("demo app from {}", payload.origin));
    let replaced_image = container::ensure_built_image(
        engine,
        &app::build_context(config, payload),
        &ctx.ui,
        &mut report,
    )
    .await?;
    let spec = app::container_spec(config, upstreams, secrets);
    container::ensure(engine, &spec, &ctx.ui, &mut report).await?;
    let readiness = Readiness {
        container: &config.app.container_name,
        service: "the demo app",
        url: app::local_health_url(config),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?,
        timeout: Duration::from_secs(config.app.ready_timeout_secs),
        timeout_field: "app.ready_timeout_secs",
    };
    let answered = ctx
        .gate
        .unless_planning(container::wait_ready(engine, &readiness, &ctx.ui))
        .await?;
    if let Some(old) = replaced_image {
        container::prune_image(engine, &old, &ctx.ui).await;
    }
    if answered.is_some() {
        ctx.ui.detail(format!("demo app at {}", config.app_url()));
    }
    Ok(report)
}
