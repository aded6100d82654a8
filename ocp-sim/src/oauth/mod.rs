//! The OAuth server, modelled on OpenShift's: authorization-code flow for registered
//! OAuthClients, login through the identity providers of `oauths/cluster` (OpenID end
//! to end), and opaque `sha256~` access tokens the API server accepts.

mod authorize;
mod callback;
mod client;
pub(crate) mod flows;
mod grant;
mod identity;
mod idp;
pub(crate) mod metadata;
pub(crate) mod oidc;
pub(crate) mod operator;
mod pages;
mod redirect;
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
