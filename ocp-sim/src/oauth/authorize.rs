//! `GET /oauth/authorize`: validates the client and its redirect URI before anything
//! else (an unvalidated redirect URI is never used; the settled one is what later
//! redirects go to), then picks the identity provider
//! from `oauths/cluster` and sends the browser to it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;

use super::flows::AuthorizeRequest;
use super::grant::{redirect_error, redirect_with};
use super::{client, idp, oidc, pages};
use crate::context::Sim;
use crate::meta;

const FIXED_SCOPES: &[&str] = &[
    "user:full",
    "user:info",
    "user:check-access",
    "user:list-projects",
    "user:list-scoped-projects",
];

fn scope_known(scope: &str) -> bool {
    FIXED_SCOPES.contains(&scope)
        || scope
            .strip_prefix("role:")
            .is_some_and(|rest| rest.split(':').count() >= 2)
}

fn pkce_ok(challenge: &str) -> bool {
    (43..=128).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~'))
}

pub async fn handler(
    State(sim): State<Arc<Sim>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let param = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());

    let Some(client_id) = param("client_id") else {
        return pages::error(400, "invalid_request", "The request has no client_id.");
    };
    let registered = {
        let store = sim.store();
        client::load(&store, client_id)
    };
    let Some(registered) = registered else {
        return pages::error(
            400,
            "unauthorized_client",
            &format!(
                "The client is not authorized to request a token using this method: OAuth client {client_id:?} does not exist."
            ),
        );
    };
    let Some(requested) = param("redirect_uri") else {
        return pages::error(400, "invalid_request", "The request has no redirect_uri.");
    };
    let Some(redirect_uri) = registered.settle_redirect(requested) else {
        return pages::error(
            400,
            "invalid_request",
            &format!(
                "The redirect_uri {requested:?} is not one of the redirectURIs of OAuth client {client_id:?}."
            ),
        );
    };
    let scopes: Vec<String> = match param("scope") {
        Some(s) => s.split_whitespace().map(String::from).collect(),
        None => vec!["user:full".to_string()],
    };
    let request = AuthorizeRequest {
        client_id: client_id.to_string(),
        redirect_uri,
        state: param("state").map(String::from),
        scopes: scopes.clone(),
        code_challenge: param("code_challenge").map(String::from),
        code_challenge_method: param("code_challenge_method").map(String::from),
    };
    // From here on the redirect URI is trusted, so errors go back to the client.
    if param("response_type") != Some("code") {
        return redirect_error(
            &request,
            "unsupported_response_type",
            "The authorization server does not support obtaining an authorization code using this method.",
        );
    }
    if let Some(bad) = scopes.iter().find(|s| !scope_known(s)) {
        return redirect_error(
            &request,
            "invalid_scope",
            &format!("The requested scope is invalid, unknown, or malformed: {bad}"),
        );
    }
    match (
        &request.code_challenge,
        request.code_challenge_method.as_deref(),
    ) {
        (None, Some(_)) => {
            return redirect_error(
                &request,
                "invalid_request",
                "code_challenge_method given without code_challenge",
            );
        }
        (Some(c), method) => {
            if !pkce_ok(c) {
                return redirect_error(
                    &request,
                    "invalid_request",
                    "code_challenge must be 43 to 128 unreserved characters",
                );
            }
            if !matches!(method, None | Some("plain") | Some("S256")) {
                return redirect_error(
                    &request,
                    "invalid_request",
                    "code_challenge_method must be plain or S256",
                );
            }
        }
        (None, None) => {}
    }

    let providers = sim.with_served(idp::all);
    let chosen = match param("idp") {
        Some(name) => match providers.into_iter().find(|p| p.name == name) {
            Some(p) => p,
            None => return pages::no_redirect_handler(name),
        },
        None if providers.is_empty() => {
            return pages::error(
                500,
                "server_error",
                "No identity providers are configured in oauths/cluster.",
            );
        }
        None if providers.len() == 1 => match providers.into_iter().next() {
            Some(only) => only,
            None => return pages::error(500, "server_error", "No identity provider."),
        },
        None => {
            let links: Vec<(String, String)> = providers
                .iter()
                .map(|p| {
                    let mut query = url::form_urlencoded::Serializer::new(String::new());
                    let mut keys: Vec<_> =
                        params.iter().filter(|(k, _)| k.as_str() != "idp").collect();
                    keys.sort();
                    for (k, v) in keys {
                        query.append_pair(k, v);
                    }
                    query.append_pair("idp", &p.name);
                    (
                        p.name.clone(),
                        format!("/oauth/authorize?{}", query.finish()),
                    )
                })
                .collect();
            return pages::provider_choice(&links);
        }
    };
    if chosen.kind != "OpenID" {
        return pages::notice(
            200,
            "Login not available",
            &format!(
                "The {} identity provider {:?} cannot log users in with this simulator; only OpenID providers work end to end.",
                chosen.kind, chosen.name
            ),
        );
    }
    start_open_id(&sim, &chosen, request).await
}

async fn start_open_id(sim: &Sim, provider: &idp::Provider, request: AuthorizeRequest) -> Response {
    let cfg = sim.with_served(|served| provider.open_id(served));
    let cfg = match cfg {
        Ok(cfg) => cfg,
        Err(why) => {
            return pages::error(
                500,
                "server_error",
                &format!("Identity provider {:?}: {why}", provider.name),
            );
        }
    };
    let endpoints = match oidc::http_client(cfg.ca_pem.as_deref()) {
        Ok(http) => oidc::discover(&http, &cfg.issuer).await,
        Err(why) => Err(why),
    };
    let endpoints = match endpoints {
        Ok(e) => e,
        Err(why) => {
            return pages::error(
                500,
                "server_error",
                &format!("Identity provider {:?}: {why}", provider.name),
            );
        }
    };
    let state = meta::random_urlsafe(32);
    sim.flows()
        .add_pending(state.clone(), provider.name.clone(), request);
    let mut scope = vec!["openid".to_string()];
    scope.extend(cfg.extra_scopes.iter().cloned());
    let callback = format!("{}/oauth2callback/{}", sim.oauth_url, provider.name);
    let scope = scope.join(" ");
    let mut params: Vec<(&str, &str)> = vec![
        ("client_id", &cfg.client_id),
        ("response_type", "code"),
        ("scope", &scope),
        ("redirect_uri", &callback),
        ("state", &state),
    ];
    for (k, v) in &cfg.extra_params {
        params.push((k, v));
    }
    redirect_with(&endpoints.authorization_endpoint, &params)
}
