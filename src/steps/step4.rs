//! step4: the demo app, built on this host and packaged onto the configured base image,
//! then run as a container with the environment it needs, ready on its /health.

use std::time::Duration;

use anyhow::{Result, bail};

use crate::cargo_build::{self, Package};
use crate::container::{self, Engine, Readiness};
use crate::context::Context;
use crate::demo_app::container::{self as app, AppSecrets, Upstreams};
use crate::openshift::{cluster, oauth_server};
use crate::reconcile::Report;
use crate::state::names;
use crate::tls;

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = Report::new(ctx.dry_run);
    let Some(ca_pem) = ctx.state.read(tls::CA_CERT)? else {
        bail!("no CA in the state directory; run `bridgectl step1` first");
    };
    let upstreams = upstreams(ctx, String::from_utf8_lossy(&ca_pem).into_owned()).await?;
    let kc = &config.keycloak;
    let secrets = AppSecrets {
        app_client: ctx.state.secret(&names::client_secret(&kc.app_client_id))?,
        ocp_client: ctx.state.secret(&names::client_secret(&kc.ocp_client_id))?,
        oauth_client: ctx.state.secret(&names::oauth_client_secret(
            &config.openshift.oauth_client_name,
        ))?,
        session_key: ctx.state.secret(names::DEMO_APP_SESSION_KEY)?,
    };

    let engine = Engine::connect().await?;
    let package = Package {
        name: "demo-app",
        prebuilt: config.app.binary.as_deref(),
        prebuilt_field: "app.binary",
    };
    let binary = cargo_build::obtain(&package, config, &ctx.ui, ctx.dry_run)?;
    ctx.ui
        .detail(format!("demo app binary {}", binary.path.display()));
    let built = container::ensure_built_image(
        &engine,
        &app::build_context(config, binary.contents()?),
        &ctx.ui,
        &mut report,
    )
    .await?;
    let spec = app::container_spec(config, &upstreams, secrets);
    container::ensure(&engine, &spec, &ctx.ui, &mut report).await?;
    if ctx.dry_run {
        return Ok(report);
    }
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
    container::wait_ready(&engine, &readiness, &ctx.ui).await?;
    if let Some(old) = built.replaced {
        container::prune_image(&engine, &old, &ctx.ui).await;
    }
    ctx.ui.detail(format!("demo app at {}", config.app_url()));
    Ok(report)
}

/// The cluster's URLs and the CAs the app must trust to reach Keycloak and the cluster.
async fn upstreams(ctx: &Context, our_ca: String) -> Result<Upstreams> {
    let config = &ctx.config;
    let cluster = cluster::connect(config).await?;
    let ocp_oauth_url = match &config.openshift.oauth_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => oauth_server::discover(&cluster).await?,
    };
    let mut bundle = vec![our_ca];
    bundle.extend(cluster.ca_pems.iter().cloned());
    match oauth_server::ingress_ca(&cluster).await {
        Some(ingress) => bundle.push(ingress),
        None => ctx.ui.detail(
            "no openshift-config-managed/default-ingress-cert to read; the app trusts the \
             OAuth server through the kubeconfig's CA",
        ),
    }
    if cluster.ca_pems.is_empty() {
        ctx.ui.warn(format!(
            "the kubeconfig names no CA for {}; the demo app will trust only bridgectl's CA \
             and the ingress CA, so calls to a cluster with a public certificate fail",
            cluster.server
        ));
    }
    Ok(Upstreams {
        ocp_api_url: cluster.server.trim_end_matches('/').to_string(),
        ocp_oauth_url,
        ca_bundle: bundle
            .iter()
            .map(|pem| pem.trim().to_string() + "\n")
            .collect(),
    })
}
