//! The third-party demo app: a user signs in with Keycloak, the app exchanges the
//! user's Keycloak token for one of the `ocp-oauth` client (RFC 8693), passes the
//! browser through OpenShift's OAuth server (completed by Keycloak SSO), and calls the
//! OpenShift API as the user.
//!
//! In-process use (as the tests do):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let settings = demo_app::Settings::from_env()?;
//! let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
//! tokio::spawn(demo_app::serve(settings, listener));
//! # Ok(()) }
//! ```

pub mod app;
pub mod claims;
pub mod crypto;
pub mod entry;
pub mod errors;
pub mod exchange;
pub mod log;
pub mod metrics;
pub mod oidc;
pub mod openshift;
pub mod pages;
pub mod pending;
pub mod routes;
pub mod server;
pub mod session;
pub mod settings;
pub mod upstream;

pub use app::{App, StartError};
pub use routes::router;
pub use server::serve_app;
pub use settings::{Secret, Settings, SettingsError};

/// Builds the app from `settings` and serves it on `listener` until the process ends.
pub async fn serve(
    settings: Settings,
    listener: tokio::net::TcpListener,
) -> Result<(), StartError> {
    let app = App::new(settings)?;
    serve_app(app, listener, std::future::pending()).await
}
