//! The OAuth server, modelled on OpenShift's: authorization-code flow for registered
//! OAuthClients, login through the identity providers of `oauths/cluster` (OpenID end
//! to end), and opaque `sha256~` access tokens the API server accepts.

mod authorize;
mod callback;
mod client;
pub mod flows;
mod grant;
mod identity;
mod idp;
pub mod metadata;
pub mod oidc;
mod pages;
mod token;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::context::Sim;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(metadata::handler),
        )
        .route("/oauth/authorize", get(authorize::handler))
        .route("/oauth/authorize/approve", post(grant::approve_handler))
        .route("/oauth2callback/{idp}", get(callback::handler))
        .route("/oauth/token", post(token::handler))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { pages::error(404, "not_found", "There is nothing at this address.") })
        .with_state(sim)
}

/// The strings of a JSON list field (OAuthClient and identity-provider settings).
fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}
