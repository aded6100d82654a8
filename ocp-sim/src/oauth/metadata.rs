//! OAuth 2.0 authorization server metadata (RFC 8414), served by both the OAuth server
//! and the API server, as OpenShift does.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::context::Sim;

pub fn document(oauth_url: &str) -> Value {
    json!({
        "issuer": oauth_url,
        "authorization_endpoint": format!("{oauth_url}/oauth/authorize"),
        "token_endpoint": format!("{oauth_url}/oauth/token"),
        "scopes_supported": [
            "user:check-access",
            "user:full",
            "user:info",
            "user:list-projects",
            "user:list-scoped-projects"
        ],
        "response_types_supported": ["code", "token"],
        "grant_types_supported": ["authorization_code", "implicit"],
        "code_challenge_methods_supported": ["plain", "S256"],
    })
}

pub async fn handler(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(document(&sim.oauth_url))
}
