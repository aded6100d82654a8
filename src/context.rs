//! What every command works with: the configuration, the state directory, the terminal,
//! the write gate, and the connections a run makes once and shares across its steps
//! (the cluster, the container engine, the OAuth server's URL and the app's upstreams,
//! Keycloak's admin API).

use std::sync::Arc;

use anyhow::{Result, anyhow};
use tokio::sync::OnceCell;

use crate::config::Config;
use crate::container::Engine;
use crate::demo_app::upstreams::{self, Upstreams};
use crate::keycloak::admin::{AdminClient, SignIn};
use crate::keycloak::users::{self, LiveUsers};
use crate::keycloak::{reader, server};
use crate::openshift::cluster::{self, Cluster};
use crate::openshift::oauth_server;
use crate::reconcile::{Gate, Report};
use crate::retry::Backoff;
use crate::state::{StateDir, names};
use crate::tls;
use crate::ui::Ui;

#[derive(Clone)]
pub struct Context {
    pub config: Config,
    pub state: StateDir,
    pub ui: Ui,
    /// Whether this run writes; every report of the run carries it.
    pub gate: Gate,
    connections: Arc<Connections>,
}

/// Made on first use, then shared by every step of the run (and its clones).
#[derive(Default)]
struct Connections {
    cluster: OnceCell<Cluster>,
    engine: OnceCell<Engine>,
    oauth_url: OnceCell<String>,
    keycloak_admin: OnceCell<AdminClient>,
    upstreams: OnceCell<Upstreams>,
    keycloak_answers: OnceCell<()>,
    keycloak_users: OnceCell<Option<LiveUsers>>,
}

/// Stands in for the CA in a dry run before step1 ever ran: everything using it is new.
const PLANNED_CA: &str = "(the CA step1 will generate)";

impl Context {
    pub fn new(config: Config, state: StateDir, ui: Ui, dry_run: bool) -> Context {
        Context {
            config,
            state,
            ui,
            gate: Gate::for_command(dry_run),
            connections: Arc::default(),
        }
    }

    /// The same context reporting through another `Ui` (a step's own live line).
    pub fn with_ui(&self, ui: Ui) -> Context {
        Context { ui, ..self.clone() }
    }

    /// The same context, only planning (what `status` reads), sharing its connections.
    pub fn planning(&self, ui: Ui) -> Context {
        Context {
            ui,
            gate: Gate::plan(),
            ..self.clone()
        }
    }

    /// An empty report of this run.
    pub fn report(&self) -> Report {
        Report::new(self.gate)
    }

    /// The CA step1 generated, as PEM.
    pub fn ca_pem(&self) -> Result<String> {
        match self.state.read(tls::CA_CERT)? {
            Some(pem) => Ok(String::from_utf8_lossy(&pem).into_owned()),
            None => self.gate.stand_in(
                PLANNED_CA.into(),
                anyhow!(
                    "no CA in the state directory {}; run `bridgectl step1` (or `all`) first",
                    self.state.root().display()
                ),
            ),
        }
    }

    /// The cluster of the kubeconfig, connected once per run.
    pub async fn cluster(&self) -> Result<&Cluster> {
        self.connections
            .cluster
            .get_or_try_init(|| async {
                let cluster = cluster::connect(&self.config).await?;
                if cluster.skips_tls_verify {
                    self.ui.warn(format!(
                        "the kubeconfig says insecure-skip-tls-verify: bridgectl does not verify \
                         the certificate of the API server at {}. The demo app and verify still \
                         do (with the host's public roots); set app.tls_verify=false if they \
                         cannot",
                        cluster.server
                    ));
                }
                Ok(cluster)
            })
            .await
    }

    /// The container engine, connected once per run.
    pub async fn engine(&self) -> Result<&Engine> {
        let engine = self
            .connections
            .engine
            .get_or_try_init(Engine::connect)
            .await?;
        Ok(engine)
    }

    /// Keycloak's admin API, signed in once per run: as the read-only client when only
    /// reading, else as the admin client, else (a Keycloak older than that client) as the
    /// admin user, whose sign-in costs Keycloak a password hash. After the first answer it
    /// rides out a Keycloak restart.
    pub async fn keycloak_admin(&self) -> Result<&AdminClient> {
        self.connections
            .keycloak_admin
            .get_or_try_init(|| async {
                let config = &self.config;
                let mut sign_ins = Vec::new();
                // What only reads signs in as bridgectl's read-only client when step2 made
                // one: no password for Keycloak to hash.
                if self.gate.plans()
                    && let Some(secret) = self
                        .state
                        .existing_secret(&names::client_secret(reader::CLIENT_ID))?
                {
                    sign_ins.push(SignIn::Client {
                        client_id: reader::CLIENT_ID.into(),
                        secret,
                    });
                }
                // The admin client Keycloak made at its first start; a Keycloak whose
                // database predates it has only the admin user.
                sign_ins.push(SignIn::Client {
                    client_id: server::ADMIN_CLIENT_ID.into(),
                    secret: self
                        .state
                        .secret(&names::client_secret(server::ADMIN_CLIENT_ID))?,
                });
                sign_ins.push(SignIn::Admin {
                    username: config.keycloak.admin_username.clone(),
                    password: self.state.secret(names::KEYCLOAK_ADMIN_PASSWORD)?,
                });
                let admin = AdminClient::connect(
                    &config.keycloak_local_url(),
                    &self.ca_pem()?,
                    sign_ins,
                    Backoff::SERVER,
                )
                .await?;
                Ok(admin.riding_out_restarts(Backoff::RESTART))
            })
            .await
    }

    /// Whether Keycloak answers over HTTPS (one quick look, before anything waits on the
    /// admin client's retries). Once it did, it is not asked again in this run.
    pub async fn keycloak_answers(&self) -> Result<(), String> {
        self.connections
            .keycloak_answers
            .get_or_try_init(|| async {
                let ca = self
                    .ca_pem()
                    .map_err(|_| "no CA in the state directory yet".to_string())?;
                server::answers(&self.config, &ca).await
            })
            .await
            .copied()
    }

    /// The configured realm's users by username; `None` when the realm does not exist.
    /// Read once per run when the run only reads; a run that writes reads them afresh each
    /// time, as step2 changes them.
    pub async fn keycloak_users(&self) -> Result<Option<LiveUsers>> {
        let admin = self.keycloak_admin().await?;
        let read = || users::list(admin, &self.config.keycloak.realm);
        if !self.gate.plans() {
            return read().await;
        }
        let users = self
            .connections
            .keycloak_users
            .get_or_try_init(read)
            .await?;
        Ok(users.clone())
    }

    /// What the demo app (and verify) must reach and trust, read from the cluster once
    /// per run.
    pub async fn upstreams(&self) -> Result<&Upstreams> {
        self.connections
            .upstreams
            .get_or_try_init(|| async { upstreams::resolve(self, self.ca_pem()?).await })
            .await
    }

    /// The OpenShift OAuth server's URL: from the configuration, else discovered from the
    /// cluster, once per run.
    pub async fn oauth_url(&self) -> Result<String> {
        let url = self
            .connections
            .oauth_url
            .get_or_try_init(|| async {
                if let Some(url) = &self.config.openshift.oauth_url {
                    return Ok(url.trim_end_matches('/').to_string());
                }
                let cluster = self.cluster().await.map_err(|err| {
                    err.context(
                        "the OpenShift OAuth URL is needed (set openshift.oauth_url, or make \
                         the cluster reachable)",
                    )
                })?;
                oauth_server::discover(cluster).await
            })
            .await?;
        Ok(url.clone())
    }
}
