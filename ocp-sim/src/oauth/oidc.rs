//! OpenID Connect against the configured issuer: discovery, the code exchange, the
//! JWKS, and validation of the ID token (signature, `iss`, `aud`, `exp`). TLS trusts
//! only the CA from the identity provider's `ca` ConfigMap.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::{Map, Value};

/// The endpoints from `<issuer>/.well-known/openid-configuration`.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
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
        issuer: found,
        authorization_endpoint: string_field(&doc, "authorization_endpoint")?,
        token_endpoint: string_field(&doc, "token_endpoint")?,
        jwks_uri: string_field(&doc, "jwks_uri")?,
    })
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Exchanges the authorization code; returns the ID token.
pub async fn exchange_code(
    client: &reqwest::Client,
    endpoints: &Endpoints,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
) -> Result<String, String> {
    // client_secret_basic: both parts form-encoded first (RFC 6749 section 2.3.1).
    let credentials = format!("{}:{}", form_encode(client_id), form_encode(client_secret));
    let basic = base64::engine::general_purpose::STANDARD.encode(credentials);
    let response = client
        .post(&endpoints.token_endpoint)
        .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
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
    doc.get("id_token")
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| "the token response has no id_token (is the openid scope allowed?)".into())
}

const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Signing keys of the issuer; keys this library cannot read (e.g. encryption keys
/// with unusual parameters) are skipped.
pub async fn fetch_jwks(client: &reqwest::Client, jwks_uri: &str) -> Result<Vec<Jwk>, String> {
    let response = client
        .get(jwks_uri)
        .send()
        .await
        .map_err(|e| format!("fetching the JWKS {jwks_uri}: {}", describe(&e)))?;
    if !response.status().is_success() {
        return Err(format!(
            "fetching the JWKS {jwks_uri}: HTTP {}",
            response.status()
        ));
    }
    let doc: Value = response
        .json()
        .await
        .map_err(|e| format!("the JWKS is not JSON: {}", describe(&e)))?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| "the JWKS has no keys".to_string())?;
    Ok(keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .collect())
}

/// Verifies the ID token against `keys` and returns its claims.
pub fn validate_id_token(
    token: &str,
    keys: &[Jwk],
    issuer: &str,
    client_id: &str,
) -> Result<Map<String, Value>, String> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| format!("the ID token is not a JWT: {e}"))?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(format!(
            "the ID token is signed with {:?}, which is not accepted",
            header.alg
        ));
    }
    let candidates: Vec<&Jwk> = match &header.kid {
        Some(kid) => keys
            .iter()
            .filter(|k| k.common.key_id.as_deref() == Some(kid.as_str()))
            .collect(),
        None => keys.iter().collect(),
    };
    if candidates.is_empty() {
        return Err(format!(
            "no key in the issuer's JWKS matches the ID token's key id {:?}",
            header.kid.unwrap_or_default()
        ));
    }
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 30;
    let mut last = String::from("no usable key");
    for jwk in candidates {
        let Ok(key) = DecodingKey::from_jwk(jwk) else {
            continue;
        };
        match jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(e) => {
                last = match e.kind() {
                    ErrorKind::InvalidSignature => {
                        "the ID token's signature does not verify against the issuer's keys".into()
                    }
                    ErrorKind::InvalidIssuer => {
                        format!("the ID token's iss is not {issuer:?}")
                    }
                    ErrorKind::InvalidAudience => {
                        format!("the ID token's aud does not contain the client ID {client_id:?}")
                    }
                    ErrorKind::ExpiredSignature => "the ID token has expired".into(),
                    ErrorKind::MissingRequiredClaim(c) => format!("the ID token has no {c} claim"),
                    _ => format!("the ID token is invalid: {e}"),
                };
            }
        }
    }
    Err(last)
}
