//! A scripted OpenID provider over HTTPS for OAuth-server tests that need no Keycloak:
//! discovery, a token endpoint that takes the client credentials only from the form
//! body, and an optional userinfo endpoint. Every token request is recorded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

pub const CLIENT_ID: &str = "ocp-oauth";
pub const CLIENT_SECRET: &str = "idp-secret";
const ACCESS_TOKEN: &str = "idp-access-token";

/// One call to the token endpoint, as the provider saw it.
#[derive(Debug, Clone)]
pub struct TokenCall {
    pub authorization_header: Option<String>,
    pub form: HashMap<String, String>,
}

#[derive(Default)]
pub struct Script {
    /// The ID token's payload; the token carries a signature nobody can verify.
    pub id_token_claims: Value,
    /// `None`: the discovery document has no `userinfo_endpoint`.
    pub userinfo: Option<Value>,
    /// Refuse HTTP Basic at the token endpoint (a client registered for
    /// `client_secret_post` only); else either style is accepted.
    pub refuse_basic: bool,
    pub token_calls: Vec<TokenCall>,
    /// The `Authorization` header of each userinfo request.
    pub userinfo_calls: Vec<String>,
}

pub struct FakeIdp {
    pub issuer: String,
    pub ca_pem: String,
    pub script: Arc<Mutex<Script>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeIdp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Shared {
    issuer: String,
    script: Arc<Mutex<Script>>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT with `claims` and a signature that verifies against no key.
pub fn unsigned_jwt(claims: &Value) -> String {
    let header = json!({"alg": "RS256", "kid": "nobody-has-this-key", "typ": "JWT"});
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(b"not a signature")
    )
}

async fn discovery(State(s): State<Shared>) -> Response {
    let mut doc = json!({
        "issuer": s.issuer,
        "authorization_endpoint": format!("{}/auth", s.issuer),
        "token_endpoint": format!("{}/token", s.issuer),
        "jwks_uri": format!("{}/jwks", s.issuer),
    });
    if s.script.lock().unwrap().userinfo.is_some() {
        doc["userinfo_endpoint"] = json!(format!("{}/userinfo", s.issuer));
    }
    axum::Json(doc).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn token(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let authorization_header = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("").to_string());
    let mut script = s.script.lock().unwrap();
    script.token_calls.push(TokenCall {
        authorization_header: authorization_header.clone(),
        form: form.clone(),
    });
    if let Some(basic) = &authorization_header {
        if script.refuse_basic {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client_secret_basic is not allowed for this client",
            );
        }
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        );
        if *basic != expected {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "bad Basic credentials",
            );
        }
    } else if form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "no client credentials in the form",
        );
    }
    axum::Json(json!({
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": unsigned_jwt(&script.id_token_claims),
    }))
    .into_response()
}

async fn userinfo(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let mut script = s.script.lock().unwrap();
    script.userinfo_calls.push(auth.clone());
    if auth != format!("Bearer {ACCESS_TOKEN}") {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response();
    }
    match &script.userinfo {
        Some(claims) => axum::Json(claims.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl FakeIdp {
    pub async fn start(script: Script) -> Self {
        let ca = ocp_sim::issue_ca("fake IdP CA").unwrap();
        let server = ocp_sim::issue_server(&ca, &["127.0.0.1"]).unwrap();
        // The simulator's own listener configuration (a client certificate is optional).
        let acceptor = TlsAcceptor::from(ocp_sim::server_config(&server, &ca).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("https://{}/realms/fake", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(script));
        let shared = Shared {
            issuer: issuer.clone(),
            script: script.clone(),
        };
        let router = Router::new()
            .route(
                "/realms/fake/.well-known/openid-configuration",
                get(discovery),
            )
            .route("/realms/fake/token", post(token))
            .route("/realms/fake/userinfo", get(userinfo))
            .route(
                "/realms/fake/jwks",
                get(|| async { axum::Json(json!({"keys": []})) }),
            )
            .with_state(shared);
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let router = router.clone();
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = service_fn(move |req: hyper::Request<Incoming>| {
                        let router = router.clone();
                        async move { router.oneshot(req.map(Body::new)).await }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            issuer,
            ca_pem: ca.cert_pem,
            script,
            task,
        }
    }
}
