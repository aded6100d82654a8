//! The application state shared by all requests, and the server loop.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderValue;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::log;
use crate::metrics::Metrics;
use crate::oidc::Keycloak;
use crate::openshift::OpenShift;
use crate::pages::{self, Body, Lang, Page};
use crate::session::{Limits, Sessions};
use crate::settings::Settings;
use crate::upstream::Http;

#[derive(Debug)]
pub enum StartError {
    HttpClient(String),
    Io(std::io::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::HttpClient(e) => write!(f, "cannot build the HTTP client: {e}"),
            StartError::Io(e) => write!(f, "server error: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

pub struct App {
    pub settings: Arc<Settings>,
    pub sessions: Sessions,
    pub metrics: Arc<Metrics>,
    pub keycloak: Keycloak,
    pub openshift: OpenShift,
    /// The signed-out start page per language, rendered once: the busiest page costs
    /// no rendering and no allocation beyond the response itself.
    signed_out: [Bytes; 2],
    /// `Content-Security-Policy`, with the hash of the page's one inline style.
    pub(crate) csp: HeaderValue,
}

impl App {
    pub fn new(settings: Settings) -> Result<Arc<App>, StartError> {
        Self::with_limits(settings, Limits::default())
    }

    pub fn with_limits(settings: Settings, limits: Limits) -> Result<Arc<App>, StartError> {
        log::set_level(settings.log_level);
        let settings = Arc::new(settings);
        let metrics = Arc::new(Metrics::default());
        let http = Arc::new(
            Http::new(&settings, metrics.clone())
                .map_err(|e| StartError::HttpClient(e.to_string()))?,
        );
        let render_signed_out = |lang| {
            Bytes::from(pages::render(&Page {
                lang,
                body: Body::SignedOut,
                problem: None,
                tls_warning: !settings.tls_verify,
            }))
        };
        let signed_out = [render_signed_out(Lang::En), render_signed_out(Lang::ZhTw)];
        let csp = HeaderValue::from_str(&format!(
            "default-src 'none'; style-src 'sha256-{}'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            pages::style_hash()
        ))
        .expect("ASCII header value");
        Ok(Arc::new(App {
            sessions: Sessions::new(settings.session_key.clone(), limits),
            keycloak: Keycloak::new(settings.clone(), http.clone()),
            openshift: OpenShift::new(settings.clone(), http),
            metrics,
            signed_out,
            csp,
            settings,
        }))
    }

    pub(crate) fn signed_out_page(&self, lang: Lang) -> Bytes {
        match lang {
            Lang::En => self.signed_out[0].clone(),
            Lang::ZhTw => self.signed_out[1].clone(),
        }
    }
}

/// Runs the app on `listener` until `shutdown` completes.
pub async fn serve_app(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let s = &app.settings;
    if s.session_key_generated {
        log::warn(
            "FLASK_SECRET_KEY is not set; using a random key, so sessions will not survive a restart",
            &[],
        );
    }
    if !s.tls_verify {
        log::warn(
            "TLS_VERIFY=false: upstream certificates are NOT verified; use only in a throwaway proof of concept",
            &[],
        );
    } else if let Some(path) = &s.ca_bundle {
        let path = path.display().to_string();
        let n = s.ca_certs.len() as u64;
        log::info(
            "upstream TLS trusts only CA_BUNDLE",
            &[("ca_bundle", (&path).into()), ("certificates", n.into())],
        );
    }
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    log::info(
        "listening",
        &[
            ("address", (&addr).into()),
            ("external_url", (&s.app_external_url).into()),
            ("keycloak", (&s.kc_base_url).into()),
            ("realm", (&s.kc_realm).into()),
            ("openshift_api", (&s.ocp_api_url).into()),
        ],
    );
    spawn_sweeper(Arc::downgrade(&app));
    let listener = listener.tap_io(|tcp| {
        // Responses go out in one write; no reason to wait for more.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, crate::routes::router(app))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(StartError::Io)
}

/// Frees expired sessions once a minute; ends when the app is dropped.
fn spawn_sweeper(app: Weak<App>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(app) = app.upgrade() else { break };
            app.sessions.sweep();
        }
    });
}
