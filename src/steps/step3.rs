//! step3: the OpenShift side of the sign-in: the ocp client's secret and our CA in
//! openshift-config, our identity provider in oauths/cluster, the demo app's OAuthClient.

use anyhow::Result;
use base64::Engine;
use serde_json::json;

use crate::context::Context;
use crate::openshift::{cluster, identity_provider, objects};
use crate::reconcile::Report;
use crate::state::names;
use crate::templates::{Templates, Vars};

const SECRET_NAME: &str = "keycloak-client-secret";
const CA_CONFIGMAP_NAME: &str = "keycloak-ca";

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = Report::new(ctx.dry_run);
    let ca_pem = ctx.ca_pem()?;
    let kc = &config.keycloak;
    let ocp_secret = ctx.state.secret(&names::client_secret(&kc.ocp_client_id))?;
    let oauth_client_secret = ctx.state.secret(&names::oauth_client_secret(
        &config.openshift.oauth_client_name,
    ))?;
    let local_app = format!("http://localhost:{}", config.app.port);
    let vars: Vars = [
        ("secret_name", json!(SECRET_NAME)),
        ("ca_configmap_name", json!(CA_CONFIGMAP_NAME)),
        (
            "ocp_client_secret_base64",
            json!(base64::engine::general_purpose::STANDARD.encode(ocp_secret.expose())),
        ),
        ("ca_pem", json!(ca_pem)),
        ("idp_name", json!(config.openshift.idp_name)),
        ("ocp_client_id", json!(kc.ocp_client_id)),
        ("issuer_url", json!(config.issuer_url())),
        (
            "oauth_client_name",
            json!(config.openshift.oauth_client_name),
        ),
        ("oauth_client_secret", json!(oauth_client_secret.expose())),
        (
            "app_ocp_redirect_uris",
            json!([
                format!("{}/callback/ocp", config.app_url()),
                format!("{local_app}/callback/ocp")
            ]),
        ),
    ]
    .into();
    let templates = Templates::new(config.templates_dir.as_deref());
    let render = |name: &str| templates.render(&format!("manifests/{name}"), &vars);

    let cluster = cluster::connect(config).await?;
    for manifest in ["keycloak-client-secret.yaml", "keycloak-ca-configmap.yaml"] {
        objects::ensure(
            &cluster,
            &objects::from_manifest(render(manifest)?)?,
            &mut report,
        )
        .await?;
    }
    identity_provider::ensure(
        &cluster,
        &render("identity-provider.yaml")?,
        &render("oauth-cluster.yaml")?,
        &mut report,
    )
    .await?;
    objects::ensure(
        &cluster,
        &objects::from_manifest(render("oauthclient.yaml")?)?,
        &mut report,
    )
    .await?;
    Ok(report)
}
