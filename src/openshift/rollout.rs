//! After step3 writes, a real cluster is not done: the authentication operator fetches the
//! issuer's discovery document itself, then rolls out new OAuth server pods (a minute or
//! several), and until then `/oauth/authorize?idp=<name>` does not know the provider. If
//! the discovery fails it keeps the whole old provider list and reports `Degraded`. So
//! step3 waits until the OAuth server sends a sign-in to Keycloak and the operator has
//! settled, saying why it waits, up to `openshift.wait_timeout_secs`.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use reqwest::StatusCode;

use super::cluster::Cluster;
use crate::config::Config;
use crate::ui::Ui;

/// Whether the cluster serves bridgectl's identity provider as configured.
pub enum Rollout {
    Served,
    /// Not yet, and what the cluster says about it.
    Pending {
        why: String,
        degraded: bool,
    },
}

/// What the wait needs: the cluster, the OAuth server and the CAs to reach it.
pub struct Probe<'a> {
    pub cluster: &'a Cluster,
    pub config: &'a Config,
    pub oauth_url: &'a str,
    /// PEM certificates that verify the OAuth server (the demo app's bundle).
    pub ca_bundle: &'a str,
}

impl Probe<'_> {
    /// One look: the operator's conditions and the OAuth server's answer.
    pub async fn look(&self) -> Result<Rollout> {
        // Without an authentication operator (plain Kubernetes, the simulator's default)
        // nothing rolls out: a change is served as it is written.
        let Some(operator) = operator_conditions(self.cluster).await? else {
            return Ok(Rollout::Served);
        };
        if let Some(degraded) = operator.degraded {
            return Ok(Rollout::Pending {
                why: format!("the authentication operator is Degraded: {degraded}"),
                degraded: true,
            });
        }
        if let Some(progressing) = operator.progressing {
            return Ok(Rollout::Pending {
                why: format!("the authentication operator is rolling out: {progressing}"),
                degraded: false,
            });
        }
        match self.authorize_redirect().await? {
            Some(location) if location.starts_with(&self.config.issuer_url()) => {
                Ok(Rollout::Served)
            }
            answer => Ok(Rollout::Pending {
                why: format!(
                    "the OAuth server does not send a sign-in with idp={} to Keycloak yet ({})",
                    self.config.openshift.idp_name,
                    answer.as_deref().unwrap_or("no redirect")
                ),
                degraded: false,
            }),
        }
    }

    /// Waits until the provider is served; fails at the bound with the cluster's reason
    /// and, when the operator cannot reach the issuer, what to open.
    pub async fn wait(&self, ui: &Ui) -> Result<()> {
        let bound = Duration::from_secs(self.config.openshift.wait_timeout_secs);
        let started = Instant::now();
        let mut last_said = String::new();
        loop {
            let (why, degraded) = match self.look().await? {
                Rollout::Served => {
                    if !last_said.is_empty() {
                        ui.info(format!(
                            "the OAuth server serves identity provider {} (after {:.0} s)",
                            self.config.openshift.idp_name,
                            started.elapsed().as_secs_f64()
                        ));
                    }
                    return Ok(());
                }
                Rollout::Pending { why, degraded } => (why, degraded),
            };
            if started.elapsed() >= bound {
                let mut message = format!(
                    "identity provider {} is not served after {} s: {why}",
                    self.config.openshift.idp_name,
                    bound.as_secs()
                );
                if degraded && unreachable(&why) {
                    message.push_str(&self.reachability_hint());
                } else {
                    message.push_str(
                        ". Run step3 again to keep waiting, or raise openshift.wait_timeout_secs",
                    );
                }
                bail!(message);
            }
            if why != last_said {
                ui.info(format!("waiting up to {} s: {why}", bound.as_secs()));
                last_said = why;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// The OAuth server's answer to a sign-in through our provider: where it redirects.
    async fn authorize_redirect(&self) -> Result<Option<String>> {
        let client = crate::http::client_trusting(self.ca_bundle, Duration::from_secs(10))?;
        let config = self.config;
        let callback = &config.app_callback_uris("ocp")[0];
        let resp = client
            .get(format!("{}/oauth/authorize", self.oauth_url))
            .query(&[
                ("client_id", config.openshift.oauth_client_name.as_str()),
                ("redirect_uri", callback.as_str()),
                ("response_type", "code"),
                ("scope", "user:info"),
                ("idp", config.openshift.idp_name.as_str()),
                ("state", "bridgectl-rollout-probe"),
            ])
            .send()
            .await;
        let resp = match resp {
            Ok(resp) => resp,
            Err(err) => return Ok(Some(crate::http::describe_error(&err))),
        };
        if resp.status() != StatusCode::FOUND && resp.status() != StatusCode::SEE_OTHER {
            return Ok(Some(format!("answered {}", resp.status())));
        }
        Ok(resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(String::from))
    }

    fn reachability_hint(&self) -> String {
        let issuer = self.config.issuer_url();
        let parsed = url::Url::parse(&issuer).ok();
        let host = parsed
            .as_ref()
            .and_then(|url| url.host_str().map(String::from))
            .unwrap_or_default();
        let port = parsed
            .as_ref()
            .and_then(url::Url::port_or_known_default)
            .unwrap_or(443);
        format!(
            ". The cluster cannot reach the issuer {issuer}: make {host}:{port} reachable \
             from the cluster's nodes (open port {port} in the bastion's firewall), or set \
             bastion.address to an address the cluster can route to"
        )
    }
}

/// The operator's words when it could not connect (Go's and the simulator's).
fn unreachable(why: &str) -> bool {
    [
        "connection refused",
        "dial tcp",
        "i/o timeout",
        "no route to host",
        "timed out",
        "error sending request",
    ]
    .iter()
    .any(|words| why.contains(words))
}

#[derive(Default)]
struct OperatorConditions {
    degraded: Option<String>,
    progressing: Option<String>,
}

/// `clusteroperators/authentication`'s Degraded and Progressing messages when True;
/// `None` on a cluster without it (plain Kubernetes, the simulator without its operator
/// model).
async fn operator_conditions(cluster: &Cluster) -> Result<Option<OperatorConditions>> {
    let found = cluster
        .config_object("ClusterOperator", "authentication")
        .await?;
    let Some(operator) = found else {
        return Ok(None);
    };
    let mut conditions = OperatorConditions::default();
    for condition in operator.data["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if condition["status"] != "True" {
            continue;
        }
        let message = condition["message"].as_str().unwrap_or("").to_string();
        match condition["type"].as_str() {
            Some("Degraded") => conditions.degraded = Some(message),
            Some("Progressing") => conditions.progressing = Some(message),
            _ => {}
        }
    }
    Ok(Some(conditions))
}
