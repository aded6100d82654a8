//! The application state shared by all requests.

use std::fmt;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::HeaderValue;

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
