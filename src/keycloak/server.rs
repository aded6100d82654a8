//! The Keycloak server as a container: its spec and waiting until it serves HTTPS.

use std::time::Duration;

use anyhow::Result;

use super::image;
use crate::config::{Config, KeycloakMode};
use crate::container::{
    self, ContainerSpec, Engine, FileInject, PortBinding, Readiness, VolumeMount,
};
use crate::state::Secret;
use crate::tls::Material;
use crate::ui::Ui;

const TLS_DIR: &str = "/opt/keycloak/conf/bridgectl";
/// The official image runs Keycloak as uid 1000.
const KEYCLOAK_UID: u64 = 1000;
/// Where Keycloak keeps its database (H2 in dev mode) and caches.
const DATA_DIR: &str = "/opt/keycloak/data";

/// The volume that keeps Keycloak's data when its container is recreated: the realm,
/// clients and users keep their ids, so the cluster's identities stay valid.
pub fn data_volume(config: &Config) -> VolumeMount {
    VolumeMount {
        name: format!("{}-data", config.keycloak.container_name),
        path: DATA_DIR.into(),
        holds: "Keycloak's database (realms, clients, users and their ids)",
    }
}

/// The admin client Keycloak makes at its first start (beside the admin user, who is for
/// people): bridgectl signs in with it by the client-credentials grant, which costs
/// Keycloak no password hashing (most of a sign-in on a JVM that just started).
pub const ADMIN_CLIENT_ID: &str = "bridgectl-admin";

/// The admin's password and the admin client's secret, given to Keycloak's first start.
pub struct Bootstrap {
    pub admin_password: Secret,
    pub admin_client_secret: Secret,
}

pub fn container_spec(config: &Config, tls: &Material, bootstrap: Bootstrap) -> ContainerSpec {
    let kc = &config.keycloak;
    let serving = [
        "--https-port=8443".to_string(),
        format!("--https-certificate-file={TLS_DIR}/tls.crt"),
        format!("--https-certificate-key-file={TLS_DIR}/tls.key"),
        // Pins the issuer to the URL OpenShift and browsers use.
        format!("--hostname={}", config.keycloak_url()),
    ];
    let start: &[&str] = match kc.mode {
        // The build runs at every start, with the build-time options.
        KeycloakMode::StartDev => &["start-dev"],
        // The build-time options are in the image; the local cache is the one start-dev
        // uses (the production default looks for cluster members through the database).
        KeycloakMode::Optimized => &["start", "--optimized", "--cache=local"],
    };
    let mut cmd: Vec<String> = start.iter().map(|s| s.to_string()).collect();
    if kc.mode == KeycloakMode::StartDev {
        cmd.extend(image::build_options(config));
    }
    cmd.extend(serving);
    ContainerSpec {
        name: kc.container_name.clone(),
        image: image::to_run(config),
        cmd,
        env: vec![
            (
                "KC_BOOTSTRAP_ADMIN_USERNAME".into(),
                kc.admin_username.clone(),
            ),
            (
                "KC_BOOTSTRAP_ADMIN_CLIENT_ID".into(),
                ADMIN_CLIENT_ID.into(),
            ),
        ],
        secret_env: vec![
            (
                "KC_BOOTSTRAP_ADMIN_PASSWORD".into(),
                bootstrap.admin_password,
            ),
            (
                "KC_BOOTSTRAP_ADMIN_CLIENT_SECRET".into(),
                bootstrap.admin_client_secret,
            ),
        ],
        ports: vec![PortBinding {
            host_ip: kc.bind_address,
            host_port: kc.https_port,
            container_port: 8443,
        }],
        files: vec![
            FileInject {
                path: format!("{TLS_DIR}/tls.crt"),
                contents: tls.server_cert_pem.clone().into_bytes(),
                mode: 0o444,
                uid: KEYCLOAK_UID,
            },
            FileInject {
                path: format!("{TLS_DIR}/tls.key"),
                contents: tls.server_key_pem.clone().into_bytes(),
                mode: 0o400,
                uid: KEYCLOAK_UID,
            },
        ],
        volumes: vec![data_volume(config)],
        host_network: false,
        // The derived image is built by step1, never pulled.
        pull_image: kc.mode == KeycloakMode::StartDev,
        config_field: "keycloak.image",
    }
}

/// Where bridgectl asks whether Keycloak serves: the master realm's discovery document.
pub fn health_url(config: &Config) -> String {
    format!(
        "{}/realms/master/.well-known/openid-configuration",
        config.keycloak_local_url()
    )
}

/// One quick look: does Keycloak's master realm answer over HTTPS, verified against our CA?
/// Bounded, so that a Keycloak that is down holds nothing for the admin client's retries.
pub async fn answers(config: &Config, ca_pem: &str) -> Result<(), String> {
    let client = crate::http::client_trusting(ca_pem, PROBE_TIMEOUT).map_err(|e| e.to_string())?;
    let url = health_url(config);
    match client.get(&url).send().await {
        Ok(resp) if resp.status().is_success() => Ok(()),
        Ok(resp) => Err(format!("{url} answered {}", resp.status())),
        Err(err) => Err(format!("{url}: {}", crate::http::describe_error(&err))),
    }
}

/// Long enough for a healthy server on a loaded two-core bastion (2 s was not, with two
/// Keycloaks starting beside it), short enough for a status at a glance.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Polls Keycloak over HTTPS, verified against our CA, until the master realm answers.
pub async fn wait_ready(
    engine: &Engine,
    config: &Config,
    ca_pem: &str,
    ui: &Ui,
) -> Result<Duration> {
    let readiness = Readiness {
        container: &config.keycloak.container_name,
        service: "Keycloak",
        url: health_url(config),
        client: crate::http::client_trusting(ca_pem, Duration::from_secs(2))?,
        timeout: Duration::from_secs(config.keycloak.ready_timeout_secs),
        timeout_field: "keycloak.ready_timeout_secs",
    };
    container::wait_ready(engine, &readiness, ui).await
}
