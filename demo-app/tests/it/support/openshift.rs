//! A fake OpenShift over plain http: OAuth metadata on the API server, an OAuth server
//! whose authorize endpoint answers at once (as when Keycloak SSO completes), a token
//! endpoint, and the two API calls. Each test can set the API answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value, json};

use super::{found, oauth_error};

pub const CLIENT_ID: &str = "third-party-demo";
pub const CLIENT_SECRET: &str = "ocp-oauthclient-secret-for-tests";
pub const IDP: &str = "keycloak";

#[derive(Default)]
pub struct OcpState {
    pub codes: HashMap<String, HashMap<String, String>>,
    pub authorize_requests: Vec<HashMap<String, String>>,
    pub token_requests: Vec<HashMap<String, String>>,
    pub pkce_results: Vec<bool>,
    pub issued_tokens: Vec<String>,
    pub api_requests: Vec<String>,
    // Knobs.
    pub discovery_status: Option<u16>,
    pub user_status: Option<u16>,
    pub projects_status: Option<u16>,
}

pub struct FakeOpenShift {
    pub base: String,
    pub state: Mutex<OcpState>,
}

impl FakeOpenShift {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, OcpState> {
        self.state.lock().unwrap()
    }
}

pub async fn start() -> Arc<FakeOpenShift> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let fake = Arc::new(FakeOpenShift {
        base,
        state: Mutex::new(OcpState::default()),
    });
    let router = Router::new()
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route("/apis/user.openshift.io/v1/users/~", get(user))
        .route("/apis/project.openshift.io/v1/projects", get(projects))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    fake
}

async fn metadata(State(ocp): State<Arc<FakeOpenShift>>) -> Response {
    if let Some(status) = ocp.lock().discovery_status {
        return (StatusCode::from_u16(status).unwrap(), "no metadata here").into_response();
    }
    let b = &ocp.base;
    Json(json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/oauth/authorize"),
        "token_endpoint": format!("{b}/oauth/token"),
        "code_challenge_methods_supported": ["plain", "S256"],
    }))
    .into_response()
}

async fn authorize(
    State(ocp): State<Arc<FakeOpenShift>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut st = ocp.lock();
    st.authorize_requests.push(q.clone());
    let valid = q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("idp").map(String::as_str) == Some(IDP)
        && q.get("response_type").map(String::as_str) == Some("code")
        && q.get("code_challenge_method").map(String::as_str) == Some("S256");
    if !valid {
        return (StatusCode::BAD_REQUEST, "invalid authorization request").into_response();
    }
    let code = format!("ocp-code-{}", st.authorize_requests.len());
    st.codes.insert(code.clone(), q.clone());
    let mut location = url::Url::parse(&q["redirect_uri"]).unwrap();
    location
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", q.get("state").map(String::as_str).unwrap_or(""));
    found(&location)
}

async fn token(
    State(ocp): State<Arc<FakeOpenShift>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let mut st = ocp.lock();
    st.token_requests.push(f.clone());
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != CLIENT_ID || get("client_secret") != CLIENT_SECRET {
        return oauth_error(401, "unauthorized_client", "The client is not authorized.");
    }
    let Some(req) = st.codes.remove(get("code")) else {
        return oauth_error(
            400,
            "invalid_grant",
            "The provided authorization grant is invalid.",
        );
    };
    if req.get("redirect_uri").map(String::as_str) != Some(get("redirect_uri")) {
        return oauth_error(400, "invalid_grant", "redirect_uri mismatch");
    }
    use sha2::Digest;
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(get("code_verifier").as_bytes()));
    let pkce_ok = req.get("code_challenge") == Some(&computed);
    st.pkce_results.push(pkce_ok);
    if !pkce_ok {
        return oauth_error(400, "invalid_grant", "code_verifier does not match");
    }
    let mut random = [0u8; 32];
    rand::fill(&mut random[..]);
    let token = format!(
        "sha256~{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
    );
    st.issued_tokens.push(token.clone());
    Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": 86400, "scope": "user:full"}))
        .into_response()
}

fn status_error(status: u16) -> Response {
    let (reason, message) = match status {
        401 => ("Unauthorized", "Unauthorized".to_string()),
        403 => (
            "Forbidden",
            "projects.project.openshift.io is forbidden: User \"user-a\" cannot list resource \"projects\"".to_string(),
        ),
        _ => ("InternalError", "Internal error occurred: etcdserver: request timed out".to_string()),
    };
    (
        StatusCode::from_u16(status).unwrap(),
        Json(
            json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": message, "reason": reason, "code": status}),
        ),
    )
        .into_response()
}

fn authorized(st: &OcpState, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| st.issued_tokens.iter().any(|i| i == t))
}

async fn user(State(ocp): State<Arc<FakeOpenShift>>, headers: HeaderMap) -> Response {
    let mut st = ocp.lock();
    st.api_requests.push("users/~".into());
    if let Some(status) = st.user_status {
        return status_error(status);
    }
    if !authorized(&st, &headers) {
        return status_error(401);
    }
    Json(json!({
        "kind": "User", "apiVersion": "user.openshift.io/v1",
        "metadata": {"name": "user-a", "uid": "9c1a7f1e-0000-4000-8000-00000000000a"},
        "fullName": "Alice",
        "identities": ["keycloak:5b0c3e4e-6f1d-4c2a-9f3b-1a2b3c4d5e6f"],
        "groups": ["system:authenticated", "system:authenticated:oauth"],
    }))
    .into_response()
}

async fn projects(State(ocp): State<Arc<FakeOpenShift>>, headers: HeaderMap) -> Response {
    let mut st = ocp.lock();
    st.api_requests.push("projects".into());
    if let Some(status) = st.projects_status {
        return status_error(status);
    }
    if !authorized(&st, &headers) {
        return status_error(401);
    }
    let project = |name: &str, display: &str| -> Value {
        json!({"metadata": {"name": name, "annotations": {"openshift.io/display-name": display}},
               "status": {"phase": "Active"}})
    };
    Json(json!({
        "kind": "ProjectList", "apiVersion": "project.openshift.io/v1",
        "items": [project("project-a", "Project <A>"), project("project-c", "Project C")],
    }))
    .into_response()
}
