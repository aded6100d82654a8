//! A person's browser, minus the browser: the OpenShift OAuth flow through the real
//! Keycloak login form, with a cookie jar and redirects followed by hand.

use bridgectl::verify::page::{
    excerpt, keycloak_form_action as form_action, keycloak_login_fields, visible_text,
};
use serde_json::Value;

pub struct Endpoints<'a> {
    pub oauth_url: &'a str,
    pub api_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_uri: &'a str,
    pub idp: &'a str,
}

/// Signs `username` in and returns the projects the resulting OpenShift token can list,
/// or the step that failed and what the server said.
pub fn projects_seen(
    ca_pems: &[&str],
    endpoints: &Endpoints<'_>,
    username: &str,
    password: &str,
) -> Result<Vec<String>, String> {
    let client = reqwest::blocking::Client::builder()
        .tls_certs_only(
            ca_pems
                .iter()
                .map(|pem| reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()),
        )
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let state = format!("st-{username}");
    let authorize = client
        .get(format!("{}/oauth/authorize", endpoints.oauth_url))
        .query(&[
            ("client_id", endpoints.client_id),
            ("redirect_uri", endpoints.redirect_uri),
            ("response_type", "code"),
            ("state", &state),
            ("idp", endpoints.idp),
        ])
        .send()
        .map_err(|e| format!("authorize: {e}"))?;
    let to_keycloak = location(authorize, "authorize")?;
    let login_page = client
        .get(&to_keycloak)
        .send()
        .map_err(|e| format!("keycloak: {e}"))?;
    let page = login_page.text().unwrap_or_default();
    let action = form_action(&page)
        .ok_or_else(|| format!("keycloak login page has no form: {}", excerpt(&page)))?;
    let submitted = client
        .post(action)
        .form(&keycloak_login_fields(username, password))
        .send()
        .map_err(|e| format!("login: {e}"))?;
    let callback = location(submitted, "keycloak login")?;
    let back = client
        .get(&callback)
        .send()
        .map_err(|e| format!("oauth2callback: {e}"))?;
    let to_app = location(back, "oauth2callback")?;
    let url = url::Url::parse(&to_app).map_err(|e| format!("redirect to app: {e}"))?;
    if !to_app.starts_with(endpoints.redirect_uri) {
        return Err(format!("redirected to {to_app}, not the app"));
    }
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    if query.get("state") != Some(&state) {
        return Err(format!("state not returned: {to_app}"));
    }
    let code = query
        .get("code")
        .ok_or_else(|| format!("no code: {to_app}"))?;
    let token = client
        .post(format!("{}/oauth/token", endpoints.oauth_url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", endpoints.redirect_uri),
            ("client_id", endpoints.client_id),
            ("client_secret", endpoints.client_secret),
        ])
        .send()
        .map_err(|e| format!("token: {e}"))?;
    if token.status() != 200 {
        return Err(format!(
            "token endpoint {}: {}",
            token.status(),
            excerpt(&token.text().unwrap_or_default())
        ));
    }
    let token: Value = token.json().map_err(|e| format!("token JSON: {e}"))?;
    let access = token["access_token"].as_str().ok_or("no access_token")?;
    if !access.starts_with("sha256~") {
        return Err(format!("not an OpenShift token: {access:.10}"));
    }
    let projects = client
        .get(format!(
            "{}/apis/project.openshift.io/v1/projects",
            endpoints.api_url
        ))
        .bearer_auth(access)
        .send()
        .map_err(|e| format!("projects: {e}"))?;
    if projects.status() != 200 {
        return Err(format!("projects {}", projects.status()));
    }
    let list: Value = projects.json().map_err(|e| format!("projects JSON: {e}"))?;
    let mut names: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
        .collect();
    names.sort();
    Ok(names)
}

/// Where a redirect points; otherwise the status and what the page said.
fn location(resp: reqwest::blocking::Response, step: &str) -> Result<String, String> {
    if !resp.status().is_redirection() {
        let status = resp.status();
        let body = resp.text().unwrap_or_default();
        return Err(format!(
            "{step}: expected a redirect, got {status}: {}",
            visible_text(&body)
        ));
    }
    resp.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(String::from)
        .ok_or_else(|| format!("{step}: redirect without location"))
}
