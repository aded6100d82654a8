//! The demo app as an image and a container: what goes into the image, and the
//! environment the app reads (the seed's variable names).

use std::net::IpAddr;

use crate::config::Config;
use crate::container::{BuildContext, ContainerSpec, FileInject, PortBinding};
use crate::state::Secret;

use super::payload::Payload;
use super::upstreams::Upstreams;

/// The app runs as this non-root user inside the image.
const APP_UID: u64 = 1001;
/// The port the app listens on inside its own network namespace.
const CONTAINER_PORT: u16 = 8080;
pub const CA_BUNDLE_PATH: &str = "/etc/bridgectl/ca-bundle.pem";

/// The payload (see [`Payload`]) placed onto the configured base image.
pub fn build_context(config: &Config, payload: Payload) -> BuildContext {
    let containerfile = format!(
        "FROM {base}\n\
         {payload}\
         USER {APP_UID}\n\
         EXPOSE {CONTAINER_PORT}\n",
        base = config.app.base_image,
        payload = payload.containerfile_lines(),
    );
    BuildContext {
        tag: config.app.image.clone(),
        base_image: config.app.base_image.clone(),
        containerfile,
        files: payload.files,
        tag_field: "app.image",
        base_field: "app.base_image",
    }
}

pub struct AppSecrets {
    pub app_client: Secret,
    pub ocp_client: Secret,
    pub oauth_client: Secret,
    pub session_key: Secret,
}

pub fn container_spec(
    config: &Config,
    upstreams: &Upstreams,
    secrets: AppSecrets,
) -> ContainerSpec {
    let app = &config.app;
    let kc = &config.keycloak;
    // With a loopback bastion address (the sandbox) the URLs in tokens and redirects say
    // 127.0.0.1, which inside a container's own network would be the container itself:
    // share the host's network instead, so the same URLs work from inside.
    let host_network = config.bastion_ip().is_loopback();
    let (listen_port, listen_address) = if host_network {
        (app.port, app.bind_address)
    } else {
        (CONTAINER_PORT, IpAddr::from([0, 0, 0, 0]))
    };
    let env = [
        ("KC_BASE_URL", config.keycloak_url()),
        ("KC_REALM", kc.realm.clone()),
        ("KC_CLIENT_ID", kc.app_client_id.clone()),
        ("KC_OCP_CLIENT_ID", kc.ocp_client_id.clone()),
        ("OCP_API_URL", upstreams.ocp_api_url.clone()),
        ("OCP_OAUTH_URL", upstreams.ocp_oauth_url.clone()),
        (
            "OCP_OAUTH_CLIENT_ID",
            config.openshift.oauth_client_name.clone(),
        ),
        ("OCP_IDP_NAME", config.openshift.idp_name.clone()),
        ("APP_EXTERNAL_URL", config.app_url()),
        ("TLS_VERIFY", app.tls_verify.to_string()),
        ("CA_BUNDLE", CA_BUNDLE_PATH.to_string()),
        ("PORT", listen_port.to_string()),
        ("BIND_ADDRESS", listen_address.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    // The app's calls to Keycloak and the cluster leave the way bridgectl's do.
    .chain(crate::proxy::environment())
    .collect();
    let secret_env = [
        ("KC_CLIENT_SECRET", secrets.app_client),
        ("KC_OCP_CLIENT_SECRET", secrets.ocp_client),
        ("OCP_OAUTH_CLIENT_SECRET", secrets.oauth_client),
        ("FLASK_SECRET_KEY", secrets.session_key),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    ContainerSpec {
        name: app.container_name.clone(),
        image: app.image.clone(),
        cmd: vec![],
        env,
        secret_env,
        // On the host network nothing is published, but the port is still checked free.
        ports: vec![PortBinding {
            host_ip: app.bind_address,
            host_port: app.port,
            container_port: listen_port,
        }],
        files: vec![FileInject {
            path: CA_BUNDLE_PATH.into(),
            contents: upstreams.ca_bundle.clone().into_bytes(),
            mode: 0o444,
            uid: APP_UID,
        }],
        volumes: vec![],
        host_network,
        pull_image: false,
        config_field: "app.image",
    }
}

/// Where bridgectl itself reaches the app's health check on this host.
pub fn local_health_url(config: &Config) -> String {
    let host = if config.app.bind_address.is_unspecified() {
        IpAddr::from([127, 0, 0, 1])
    } else {
        config.app.bind_address
    };
    let host = match host {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    format!("http://{host}:{}/health", config.app.port)
}
