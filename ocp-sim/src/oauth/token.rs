//! `POST /oauth/token`: the authorization-code grant. Codes are single use and bound
//! to client, redirect URI and PKCE challenge; tokens are `sha256~...` strings whose
//! hash is stored (and persisted) with the user they stand for.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use sha2::Digest;

use super::client;
use crate::apiserver::store::TokenRecord;
use crate::context::Sim;
use crate::meta;

fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        code,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({"error": error, "error_description": description}).to_string(),
    )
        .into_response()
}

const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
const UNAUTHORIZED_CLIENT: &str =
    "The client is not authorized to request a token using this method.";

/// Client credentials from HTTP Basic (form-encoded parts) or the form body.
fn credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(String, String), &'static str> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|text| {
                    let (id, secret) = text.split_once(':')?;
                    let decode = |s: &str| {
                        url::form_urlencoded::parse(format!("x={s}").as_bytes())
                            .next()
                            .map(|(_, v)| v.into_owned())
                            .unwrap_or_default()
                    };
                    Some((decode(id), decode(secret)))
                })
        });
    let from_form = (
        form.get("client_id").cloned().unwrap_or_default(),
        form.get("client_secret").cloned().unwrap_or_default(),
    );
    match basic {
        Some(None) => Err("The Authorization header is malformed."),
        Some(Some(pair)) => {
            if !from_form.0.is_empty() && from_form.0 != pair.0 {
                return Err("client_id differs between the Authorization header and the body.");
            }
            Ok(pair)
        }
        None => Ok(from_form),
    }
}

pub async fn handler(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let (client_id, secret) = match credentials(&headers, &form) {
        Ok(c) => c,
        Err(why) => return oauth_error(400, "invalid_request", why),
    };
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {}
        Some(_) => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            );
        }
        None => return oauth_error(400, "invalid_request", "The request is missing grant_type."),
    }
    let registered = {
        let store = sim.store();
        client::load(&store, &client_id)
    };
    let Some(registered) = registered.filter(|c| c.secret_ok(&secret)) else {
        return oauth_error(401, "unauthorized_client", UNAUTHORIZED_CLIENT);
    };
    let Some(code) = form.get("code").filter(|c| !c.is_empty()) else {
        return oauth_error(400, "invalid_request", "The request is missing code.");
    };
    let Some((request, user)) = sim.flows().take_code(code) else {
        return oauth_error(400, "invalid_grant", INVALID_GRANT);
    };
    // The form's redirect URI is settled like the authorize request's, then compared.
    let settled = form
        .get("redirect_uri")
        .and_then(|uri| registered.settle_redirect(uri));
    if request.client_id != registered.name || settled.as_deref() != Some(&request.redirect_uri) {
        return oauth_error(400, "invalid_grant", INVALID_GRANT);
    }
    if let Some(challenge) = &request.code_challenge {
        let Some(verifier) = form.get("code_verifier").filter(|v| !v.is_empty()) else {
            return oauth_error(400, "invalid_request", "code_verifier is required.");
        };
        let computed = match request.code_challenge_method.as_deref() {
            Some("S256") => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes())),
            _ => verifier.clone(),
        };
        if &computed != challenge {
            return oauth_error(
                400,
                "invalid_grant",
                "code_verifier failed comparison with code_challenge.",
            );
        }
    }

    let token = format!("sha256~{}", meta::random_urlsafe(32));
    let now = meta::unix_now();
    let record = TokenRecord {
        user_name: user.name.clone(),
        user_uid: user.uid.clone(),
        client: registered.name.clone(),
        scopes: request.scopes.clone(),
        created_at: now,
        expires_at: now + registered.token_max_age,
    };
    {
        let mut store = sim.store();
        store.add_token(&token, record);
        if let Err(e) = store.save() {
            return oauth_error(500, "server_error", &format!("persisting the token: {e}"));
        }
    }
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": registered.token_max_age,
            "scope": request.scopes.join(" "),
        })
        .to_string(),
    )
        .into_response()
}
