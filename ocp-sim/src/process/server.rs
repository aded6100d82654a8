//! Startup: data directory, certificates, state, both HTTPS listeners, kubeconfig.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::{datadir, kubeconfig, tls};
use crate::apiserver::auth::ClientCertificate;
use crate::apiserver::store::Store;
use crate::apiserver::{routes, seed};
use crate::context::Sim;
use crate::oauth::flows::{AuthorizeRequest, LoggedIn};
use crate::{meta, oauth};

pub const STATE_FILE: &str = "state.json";

#[derive(Debug, Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    pub api_listen: String,
    pub oauth_listen: String,
    /// Where to write the admin kubeconfig; `<data-dir>/kubeconfig` by default.
    pub kubeconfig_out: Option<PathBuf>,
    /// Extra users without RBAC rights: (user name, token).
    pub tokens: Vec<(String, String)>,
    /// API groups not to serve, e.g. project.openshift.io for a plain-Kubernetes cluster.
    pub without_groups: Vec<String>,
    /// How long a deleted namespace stays Terminating; zero (the default) removes it at once.
    pub namespace_termination: std::time::Duration,
    /// `infrastructures/cluster` status.controlPlaneTopology: `External` is a hosted
    /// control plane (ROSA with HCP), where oauths/cluster is not the cluster's to change.
    pub control_plane_topology: String,
    /// Models the authentication operator with this rollout time: the OAuth server keeps
    /// serving the old identity providers until a change is validated and rolled out.
    /// `None` (the default): every change is served at once.
    pub oauth_rollout: Option<std::time::Duration>,
}

impl Options {
    /// Both servers on free loopback ports.
    pub fn ephemeral(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            api_listen: "127.0.0.1:0".into(),
            oauth_listen: "127.0.0.1:0".into(),
            kubeconfig_out: None,
            tokens: Vec::new(),
            without_groups: Vec::new(),
            namespace_termination: std::time::Duration::ZERO,
            control_plane_topology: "HighlyAvailable".into(),
            oauth_rollout: None,
        }
    }
}

/// A running simulator. Dropping it stops accepting connections.
pub struct Running {
    pub api_url: String,
    pub oauth_url: String,
    pub kubeconfig: PathBuf,
    pub ca_file: PathBuf,
    pub ca_pem: String,
    pub admin_token: String,
    sim: Arc<Sim>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Records `code` as issued to `user` for `request`, as a completed login leaves it
    /// behind, so tests can exercise the token endpoint without a browser.
    pub fn add_authorization_code(&self, code: &str, request: AuthorizeRequest, user: LoggedIn) {
        self.sim.flows().add_code(code.to_string(), request, user);
    }

    /// The one line printed on stdout once both servers listen.
    pub fn startup_line(&self) -> String {
        json!({
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
            "kubeconfig": self.kubeconfig,
            "ca_file": self.ca_file,
        })
        .to_string()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn url_of(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST)
    } else {
        addr.ip()
    };
    format!("https://{}", SocketAddr::new(ip, addr.port()))
}

pub async fn start(options: Options) -> Result<Running> {
    // Several rustls backends may be linked in (through dependencies); pick one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let dir = &options.data_dir;
    datadir::ensure_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    let material = tls::ensure(dir)?;
    let state_file = dir.join(STATE_FILE);
    let store = match Store::load(&state_file)? {
        Some(store) => store,
        None => {
            let mut store = Store::new(state_file, meta::random_urlsafe(32));
            seed::install(&mut store)
                .map_err(|e| anyhow::anyhow!("seeding the initial state: {e}"))?;
            store.save().context("writing the initial state")?;
            store
        }
    };
    let mut store = store;
    store.set_termination_delay(options.namespace_termination);
    seed::infrastructure(&mut store, &options.control_plane_topology);
    store.save().context("writing the initial state")?;
    let admin_token = store.admin_token().to_string();

    let api_listener = TcpListener::bind(&options.api_listen)
        .await
        .with_context(|| format!("listening on {}", options.api_listen))?;
    let oauth_listener = TcpListener::bind(&options.oauth_listen)
        .await
        .with_context(|| format!("listening on {}", options.oauth_listen))?;
    let api_addr = api_listener.local_addr()?;
    let api_url = url_of(api_addr);
    let oauth_url = url_of(oauth_listener.local_addr()?);

    let extra_tokens: HashMap<String, String> = options
        .tokens
        .iter()
        .map(|(user, token)| (token.clone(), user.clone()))
        .collect();
    let mut sim = Sim::new(
        store,
        extra_tokens,
        oauth_url.clone(),
        api_url.trim_start_matches("https://").to_string(),
    );
    sim.hidden_groups = options.without_groups.clone();
    if options.oauth_rollout.is_some() {
        sim.model_authentication_operator();
    }
    let sim = Arc::new(sim);

    let kubeconfig_path = options
        .kubeconfig_out
        .clone()
        .unwrap_or_else(|| dir.join("kubeconfig"));
    kubeconfig::write(
        &kubeconfig_path,
        &api_url,
        &material.ca.cert_pem,
        &admin_token,
    )
    .with_context(|| format!("writing {}", kubeconfig_path.display()))?;

    let acceptor = TlsAcceptor::from(tls::server_config(&material.server, &material.ca)?);
    let api_sim = sim.clone();
    let api_task = tokio::spawn(accept_loop(api_listener, acceptor.clone(), move |req| {
        routes::serve(api_sim.clone(), req)
    }));
    let router = oauth::router(sim.clone());
    let oauth_task = tokio::spawn(accept_loop(
        oauth_listener,
        acceptor,
        move |req: hyper::Request<Incoming>| {
            let router = router.clone();
            async move { router.oneshot(req.map(Body::new)).await }
        },
    ));

    let mut tasks = vec![api_task, oauth_task];
    if let Some(rollout) = options.oauth_rollout {
        tasks.push(tokio::spawn(oauth::operator::run(sim.clone(), rollout)));
    }
    Ok(Running {
        api_url,
        oauth_url,
        kubeconfig: kubeconfig_path,
        ca_file: dir.join(tls::CA_FILE),
        ca_pem: material.ca.cert_pem,
        admin_token,
        sim,
        tasks,
    })
}

async fn accept_loop<F, Fut, E>(listener: TcpListener, acceptor: TlsAcceptor, handler: F)
where
    F: Fn(hyper::Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<axum::response::Response, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    loop {
        let (tcp, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                eprintln!("ocp-sim: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let handler = handler.clone();
        tokio::spawn(async move {
            // A client that fails the handshake (e.g. does not trust our CA) is its problem.
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            // A verified client certificate names who calls, for every request on it.
            let certificate = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|leaf| ClientCertificate::from_der(leaf));
            let service = service_fn(move |mut req: hyper::Request<Incoming>| {
                if let Some(certificate) = &certificate {
                    req.extensions_mut().insert(certificate.clone());
                }
                handler(req)
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
