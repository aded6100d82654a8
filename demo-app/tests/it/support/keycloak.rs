//! A fake Keycloak realm `demo` over plain http: OIDC discovery, an authorization
//! endpoint that answers at once (as an SSO session would), a token endpoint with the
//! authorization-code and token-exchange grants, a JWKS, and a logout page. Each test
//! can turn knobs to make it misbehave.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use super::{found, oauth_error};

pub const CLIENT_ID: &str = "third-party-app";
pub const CLIENT_SECRET: &str = "kc-client-secret-for-tests";
pub const OCP_CLIENT_ID: &str = "ocp-oauth";
pub const OCP_CLIENT_SECRET: &str = "kc-ocp-secret-for-tests";
pub const USER: &str = "user-a";
pub const USER_SUB: &str = "5b0c3e4e-6f1d-4c2a-9f3b-1a2b3c4d5e6f";
pub const KID: &str = "test-key-1";

/// TEST ONLY: RSA keys generated at run time (none is checked in). `other` signs tokens
/// that must fail verification.
struct Keys {
    main: EncodingKey,
    other: EncodingKey,
    jwk: Value,
}

fn rsa_key() -> EncodingKey {
    let pair =
        rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("generate a test RSA key");
    EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).expect("load the test RSA key")
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let main = rsa_key();
        let other = rsa_key();
        let mut jwk = Jwk::from_encoding_key(&main, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some(KID.into());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Keys {
            main,
            other,
            jwk: serde_json::to_value(jwk).unwrap(),
        }
    })
}

/// What an authorization request asked for, kept under its code.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    pub params: HashMap<String, String>,
}

/// Knobs (set by tests) and records (read by tests).
#[derive(Default)]
pub struct KcState {
    pub codes: HashMap<String, AuthRequest>,
    pub authorize_requests: Vec<HashMap<String, String>>,
    pub token_requests: Vec<HashMap<String, String>>,
    /// Whether each redeemed code's verifier matched its S256 challenge.
    pub pkce_results: Vec<bool>,
    pub issued_access_tokens: Vec<String>,
    pub issued_id_tokens: Vec<String>,
    pub issued_refresh_tokens: Vec<String>,
    pub exchanged_tokens: Vec<String>,
    pub exchange_subjects: Vec<String>,
    pub discovery_hits: usize,
    pub jwks_hits: usize,
    // Knobs.
    pub id_token_nonce: Option<String>,
    pub id_token_aud: Option<String>,
    pub id_token_expired: bool,
    pub sign_with_other_key: bool,
    pub exchange_error: Option<(u16, Value)>,
}

pub struct FakeKeycloak {
    pub base: String,
    pub state: Mutex<KcState>,
}

impl FakeKeycloak {
    pub fn issuer(&self) -> String {
        format!("{}/realms/demo", self.base)
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, KcState> {
        self.state.lock().unwrap()
    }
}

/// Over https with `tls`'s certificate, else plain http.
pub async fn start_on(tls: Option<super::tls::Tls>) -> Arc<FakeKeycloak> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let base = format!("{scheme}://{}", listener.local_addr().unwrap());
    let fake = Arc::new(FakeKeycloak {
        base,
        state: Mutex::new(KcState::default()),
    });
    let oidc = "/realms/demo/protocol/openid-connect";
    let router = Router::new()
        .route(
            "/realms/demo/.well-known/openid-configuration",
            get(discovery),
        )
        .route(&format!("{oidc}/auth"), get(authorize))
        .route(&format!("{oidc}/token"), post(token))
        .route(&format!("{oidc}/certs"), get(certs))
        .route(
            &format!("{oidc}/logout"),
            get(|| async { "signed out of Keycloak" }),
        )
        .with_state(fake.clone());
    match tls {
        Some(tls) => {
            let listener = super::tls::TlsListener::new(listener, &tls);
            tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        }
        None => {
            tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        }
    }
    fake
}

async fn discovery(State(kc): State<Arc<FakeKeycloak>>) -> Json<Value> {
    kc.lock().discovery_hits += 1;
    let iss = kc.issuer();
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/protocol/openid-connect/auth"),
        "token_endpoint": format!("{iss}/protocol/openid-connect/token"),
        "jwks_uri": format!("{iss}/protocol/openid-connect/certs"),
        "end_session_endpoint": format!("{iss}/protocol/openid-connect/logout"),
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn certs(State(kc): State<Arc<FakeKeycloak>>) -> Json<Value> {
    kc.lock().jwks_hits += 1;
    // Keycloak also publishes an encryption key; the app must skip it.
    Json(json!({"keys": [
        {"kid": "enc-key", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc", "n": "AQAB", "e": "AQAB"},
        keys().jwk,
    ]}))
}

/// Answers like a Keycloak with a live SSO session: straight back to the client.
async fn authorize(
    State(kc): State<Arc<FakeKeycloak>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = kc.lock();
    st.authorize_requests.push(q.clone());
    let valid = q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("response_type").map(String::as_str) == Some("code")
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.get("scope")
            .is_some_and(|s| s.split(' ').any(|x| x == "openid"));
    if !valid {
        return (StatusCode::BAD_REQUEST, "invalid authorization request").into_response();
    }
    let code = format!("kc-code-{}", st.codes.len() + st.token_requests.len() + 1);
    st.codes
        .insert(code.clone(), AuthRequest { params: q.clone() });
    let mut location = url::Url::parse(&q["redirect_uri"]).unwrap();
    location
        .query_pairs_mut()
        .append_pair("state", q.get("state").map(String::as_str).unwrap_or(""))
        .append_pair("session_state", "sso-session-1")
        .append_pair("code", &code);
    found(&location)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(claims: &Value, other_key: bool) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.into());
    let k = keys();
    let key = if other_key { &k.other } else { &k.main };
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn s256(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

async fn token(
    State(kc): State<Arc<FakeKeycloak>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let iss = kc.issuer();
    let mut st = kc.lock();
    st.token_requests.push(f.clone());
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    match get("grant_type") {
        "authorization_code" => {
            if get("client_id") != CLIENT_ID || get("client_secret") != CLIENT_SECRET {
                return oauth_error(
                    401,
                    "unauthorized_client",
                    "Invalid client or Invalid client credentials",
                );
            }
            let Some(req) = st.codes.remove(get("code")) else {
                return oauth_error(400, "invalid_grant", "Code not valid");
            };
            if req.params.get("redirect_uri").map(String::as_str) != Some(get("redirect_uri")) {
                return oauth_error(400, "invalid_grant", "Incorrect redirect_uri");
            }
            let pkce_ok = req.params.get("code_challenge").map(String::as_str)
                == Some(s256(get("code_verifier")).as_str());
            st.pkce_results.push(pkce_ok);
            if !pkce_ok {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "PKCE verification failed: Invalid code verifier",
                );
            }
            let t = now();
            let access = sign(
                &json!({
                    "exp": t + 300, "iat": t, "jti": format!("at-{}", st.issued_access_tokens.len()),
                    "iss": iss, "aud": ["account"], "sub": USER_SUB, "typ": "Bearer",
                    "azp": CLIENT_ID, "scope": "openid profile email",
                    "preferred_username": USER, "email": "user-a@example.com",
                    "realm_access": {"roles": ["default-roles-demo", "offline_access"]},
                }),
                false,
            );
            let nonce = st
                .id_token_nonce
                .clone()
                .or_else(|| req.params.get("nonce").cloned())
                .unwrap_or_default();
            let aud = st.id_token_aud.clone().unwrap_or_else(|| CLIENT_ID.into());
            let exp = if st.id_token_expired {
                t - 3600
            } else {
                t + 300
            };
            let id_token = sign(
                &json!({
                    "exp": exp, "iat": t - 10, "iss": iss, "aud": aud, "sub": USER_SUB,
                    "typ": "ID", "azp": CLIENT_ID, "nonce": nonce, "preferred_username": USER,
                }),
                st.sign_with_other_key,
            );
            // The app never uses it; a distinctive value lets tests check it never shows.
            let mut random = [0u8; 24];
            rand::fill(&mut random[..]);
            let refresh = format!(
                "rt-{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
            );
            st.issued_access_tokens.push(access.clone());
            st.issued_id_tokens.push(id_token.clone());
            st.issued_refresh_tokens.push(refresh.clone());
            Json(json!({
                "access_token": access, "id_token": id_token, "token_type": "Bearer",
                "expires_in": 300, "refresh_token": refresh, "scope": "openid profile email",
            }))
            .into_response()
        }
        "urn:ietf:params:oauth:grant-type:token-exchange" => {
            st.exchange_subjects.push(get("subject_token").to_string());
            if let Some((status, body)) = st.exchange_error.clone() {
                return (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
            }
            if get("client_id") != OCP_CLIENT_ID || get("client_secret") != OCP_CLIENT_SECRET {
                return oauth_error(
                    401,
                    "unauthorized_client",
                    "Invalid client or Invalid client credentials",
                );
            }
            if get("subject_token_type") != "urn:ietf:params:oauth:token-type:access_token"
                || get("requested_token_type") != "urn:ietf:params:oauth:token-type:access_token"
            {
                return oauth_error(400, "invalid_request", "unsupported token type");
            }
            if !st
                .issued_access_tokens
                .iter()
                .any(|t| t == get("subject_token"))
            {
                return oauth_error(400, "invalid_token", "Invalid token");
            }
            let t = now();
            let exchanged = sign(
                &json!({
                    "exp": t + 300, "iat": t, "iss": iss, "aud": [OCP_CLIENT_ID], "sub": USER_SUB,
                    "typ": "Bearer", "azp": OCP_CLIENT_ID, "scope": "openid profile email",
                    "preferred_username": USER,
                }),
                false,
            );
            st.exchanged_tokens.push(exchanged.clone());
            Json(json!({
                "access_token": exchanged,
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "token_type": "Bearer",
                "expires_in": 300,
            }))
            .into_response()
        }
        _ => oauth_error(400, "unsupported_grant_type", "Unsupported grant_type"),
    }
}
