//! OpenID Connect against the configured issuer: discovery, the code exchange, the ID
//! token and the userinfo endpoint, as OpenShift's OAuth server does them. Like it, the
//! ID token is only decoded: its signature, `iss`, `aud` and `exp` are not checked (the
//! token comes straight from the provider over TLS); it must carry `sub`, and when the
//! provider has a userinfo endpoint its claims, for the same `sub`, are merged over the
//! token's. TLS trusts only the CA from the identity provider's `ca` ConfigMap.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use serde_json::{Map, Value};

/// The endpoints from `<issuer>/.well-known/openid-configuration`.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// Optional in the discovery document; without it the ID token's claims are all.
    pub userinfo_endpoint: Option<String>,
}

/// Stand-in for the system trust store: a CA nobody uses, so that an identity
/// provider without a configured `ca` fails verification for real, as a self-signed
/// server does against a cluster's system roots.
fn unrelated_ca() -> &'static str {
    static CA: OnceLock<String> = OnceLock::new();
    CA.get_or_init(|| {
        crate::process::tls::issue_ca("ocp-sim stand-in system roots")
            .map(|p| p.cert_pem)
            .unwrap_or_default()
    })
}

/// An HTTPS client trusting only `ca_pem` (or nothing useful when `None`).
pub fn http_client(ca_pem: Option<&str>) -> Result<reqwest::Client, String> {
    let pem = ca_pem.unwrap_or_else(|| unrelated_ca());
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
        .map_err(|e| format!("the CA bundle does not parse: {}", describe(&e)))?;
    if certs.is_empty() {
        return Err("the CA bundle holds no certificate".into());
    }
    reqwest::Client::builder()
        .tls_certs_only(certs)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| format!("building the HTTPS client: {}", describe(&e)))
}

/// An error with all its causes, so a TLS failure says why (e.g. `UnknownIssuer`).
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

fn string_field(doc: &Value, key: &str) -> Result<String, String> {
    doc.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .ok_or_else(|| format!("the OpenID configuration has no {key}"))
}

pub async fn discover(client: &reqwest::Client, issuer: &str) -> Result<Endpoints, String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("fetching {url}: {}", describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("fetching {url}: HTTP {status}"));
    }
    let doc: Value = response
        .json()
        .await
        .map_err(|e| format!("{url} is not JSON: {}", describe(&e)))?;
    let found = string_field(&doc, "issuer")?;
    if found != issuer {
        return Err(format!(
            "issuer mismatch: the provider's discovery document says {found:?} but the identity provider is configured with {issuer:?}"
        ));
    }
    Ok(Endpoints {
        authorization_endpoint: string_field(&doc, "authorization_endpoint")?,
        token_endpoint: string_field(&doc, "token_endpoint")?,
        userinfo_endpoint: string_field(&doc, "userinfo_endpoint").ok(),
    })
}

/// What the token endpoint returned that the login needs.
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
}

/// Exchanges the authorization code. The client ID and secret go in the form body
/// (`client_secret_post`), as the OAuth server's OAuth client library sends them.
pub async fn exchange_code(
    client: &reqwest::Client,
    endpoints: &Endpoints,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
) -> Result<Tokens, String> {
    let response = client
        .post(&endpoints.token_endpoint)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ])
        .send()
        .await
        .map_err(|e| {
            format!(
                "calling the token endpoint {}: {}",
                endpoints.token_endpoint,
                describe(&e)
            )
        })?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        let shown: String = body.chars().take(300).collect();
        return Err(format!(
            "the token endpoint answered HTTP {status}: {shown}"
        ));
    }
    let doc: Value = serde_json::from_str(&body)
        .map_err(|e| format!("the token endpoint answered with something other than JSON: {e}"))?;
    let text = |key: &str| doc.get(key).and_then(Value::as_str).map(String::from);
    if let Some(error) = text("error") {
        return Err(format!(
            "the token endpoint answered {error}: {}",
            text("error_description").unwrap_or_default()
        ));
    }
    if doc.get("token_type").is_none() {
        return Err("the token response has no token_type".into());
    }
    let access_token = doc
        .get("access_token")
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .ok_or("the token response has no access_token")?;
    let id_token = text("id_token")
        .filter(|t| !t.is_empty())
        .ok_or("the token response has no id_token (is the openid scope allowed?)")?;
    Ok(Tokens {
        access_token,
        id_token,
    })
}

fn sub_of(claims: &Map<String, Value>) -> Option<&str> {
    claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The claims of an ID token, decoded without any verification: three dot-separated
/// parts, the middle one base64url (padded or not) JSON. It must have a `sub`.
pub fn id_token_claims(token: &str) -> Result<Map<String, Value>, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "the id_token is not a JWT: expected 3 parts, got {}",
            parts.len()
        ));
    }
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .map_err(|e| format!("the id_token payload is not base64url: {e}"))?;
    let claims: Map<String, Value> = serde_json::from_slice(&payload)
        .map_err(|e| format!("the id_token payload is not a JSON object: {e}"))?;
    if sub_of(&claims).is_none() {
        return Err("id_token did not contain a 'sub' claim".into());
    }
    Ok(claims)
}

/// The userinfo claims for `access_token`.
pub async fn fetch_userinfo(
    client: &reqwest::Client,
    userinfo_endpoint: &str,
    access_token: &str,
) -> Result<Map<String, Value>, String> {
    let response = client
        .get(userinfo_endpoint)
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(|e| format!("fetching userinfo {userinfo_endpoint}: {}", describe(&e)))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        let challenge = response
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        return Err(format!(
            "non-200 response from UserInfo: {}, WWW-Authenticate={challenge}",
            status.as_u16()
        ));
    }
    response.json::<Map<String, Value>>().await.map_err(|e| {
        format!(
            "the userinfo response is not a JSON object: {}",
            describe(&e)
        )
    })
}

/// The claims a login maps: the ID token's, with the userinfo endpoint's merged over
/// them when the provider has one (its `sub` must be the token's).
pub async fn login_claims(
    client: &reqwest::Client,
    endpoints: &Endpoints,
    tokens: &Tokens,
) -> Result<Map<String, Value>, String> {
    let mut claims = id_token_claims(&tokens.id_token)?;
    let Some(userinfo_endpoint) = &endpoints.userinfo_endpoint else {
        return Ok(claims);
    };
    let userinfo = fetch_userinfo(client, userinfo_endpoint, &tokens.access_token).await?;
    let token_sub = sub_of(&claims).unwrap_or_default().to_string();
    match sub_of(&userinfo) {
        None => return Err("userinfo response did not contain a 'sub' claim".into()),
        Some(sub) if sub != token_sub => {
            return Err(format!(
                "userinfo 'sub' claim ({sub}) did not match id_token 'sub' claim ({token_sub})"
            ));
        }
        Some(_) => {}
    }
    claims.extend(userinfo);
    Ok(claims)
}
