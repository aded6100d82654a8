//! The Keycloak server as a container: its spec and waiting until it serves HTTPS.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::config::Config;
use crate::container::{self, ContainerSpec, ContainerState, Engine, FileInject, PortBinding};
use crate::state::Secret;
use crate::tls::Material;
use crate::ui::Ui;

const TLS_DIR: &str = "/opt/keycloak/conf/bridgectl";
/// The official image runs Keycloak as uid 1000.
const KEYCLOAK_UID: u64 = 1000;
const POLL_EVERY: Duration = Duration::from_millis(100);

pub fn container_spec(config: &Config, tls: &Material, admin_password: &Secret) -> ContainerSpec {
    let kc = &config.keycloak;
    let mut cmd = vec![
        "start-dev".to_string(),
        "--https-port=8443".into(),
        format!("--https-certificate-file={TLS_DIR}/tls.crt"),
        format!("--https-certificate-key-file={TLS_DIR}/tls.key"),
        "--health-enabled=true".into(),
        // Pins the issuer to the URL OpenShift and browsers use.
        format!("--hostname={}", config.keycloak_url()),
    ];
    // `token-exchange` turns on the legacy exchange; the standard (v2) one is on by default.
    if !kc.features.is_empty() {
        cmd.push(format!("--features={}", kc.features.join(",")));
    }
    ContainerSpec {
        name: kc.container_name.clone(),
        image: kc.image.clone(),
        cmd,
        env: vec![(
            "KC_BOOTSTRAP_ADMIN_USERNAME".into(),
            kc.admin_username.clone(),
        )],
        secret_env: vec![("KC_BOOTSTRAP_ADMIN_PASSWORD".into(), admin_password.clone())],
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
        host_network: false,
        config_field: "keycloak.image",
    }
}

/// Polls Keycloak over HTTPS, verified against our CA, until the master realm answers.
pub async fn wait_ready(
    engine: &Engine,
    config: &Config,
    ca_pem: &str,
    ui: &Ui,
) -> Result<Duration> {
    let name = &config.keycloak.container_name;
    let url = format!(
        "{}/realms/master/.well-known/openid-configuration",
        config.keycloak_local_url()
    );
    let client = crate::http::client_trusting(ca_pem, Duration::from_secs(2))?;
    let timeout = Duration::from_secs(config.keycloak.ready_timeout_secs);
    let spinner = ui.spinner(format!("waiting for Keycloak at {}", config.keycloak_url()));
    let started = Instant::now();
    let mut last_error;
    let mut next_state_check = started;
    let result = loop {
        match client.get(&url).send().await {
            Ok(resp) if resp.status().is_success() => break Ok(started.elapsed()),
            Ok(resp) => last_error = format!("HTTP {}", resp.status()),
            Err(err) => last_error = crate::http::describe_error(&err),
        }
        if Instant::now() >= next_state_check {
            next_state_check = Instant::now() + Duration::from_secs(2);
            if let ContainerState::Managed {
                running: false,
                status,
                ..
            } = container::state(engine, name).await?
            {
                break Err(stopped_error(engine, name, &status).await);
            }
        }
        if started.elapsed() >= timeout {
            let logs = container::logs_tail(engine, name, 20).await;
            break Err(anyhow::anyhow!(
                "Keycloak did not become ready within {}s (last answer from {url}: {last_error}).\n\
                 Last lines of container {name}:\n{}\n\
                 Check the lines above, or raise keycloak.ready_timeout_secs on a slow machine",
                timeout.as_secs(),
                indent(&logs)
            ));
        }
        tokio::time::sleep(POLL_EVERY).await;
    };
    spinner.finish_and_clear();
    result
}

async fn stopped_error(engine: &Engine, name: &str, status: &str) -> anyhow::Error {
    let logs = container::logs_tail(engine, name, 20).await;
    anyhow::anyhow!(
        "container {name} stopped while Keycloak was starting (status {status}).\n\
         Last lines:\n{}",
        indent(&logs)
    )
}

fn indent(text: &str) -> String {
    if text.trim().is_empty() {
        return "    (the container printed nothing yet)".into();
    }
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
