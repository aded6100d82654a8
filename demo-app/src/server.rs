//! The server loop: the app's router on a listener, and the session sweeper. Apart from
//! `app.rs` because it needs the routes, which need the app.

use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::app::{App, StartError};
use crate::log;
use crate::routes::router;

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
    axum::serve(listener, router(app))
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
