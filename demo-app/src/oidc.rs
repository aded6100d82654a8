//! Keycloak as an OpenID Connect provider: discovery (fetched on first use, cached), the
//! authorization request, the code redemption, and ID token verification against the
//! realm's JWKS.

use std::sync::{Arc, Mutex};

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use serde_json::Value;

use crate::errors::{IdTokenFault, Problem, Server, TokenStep};
use crate::metrics::Upstream;
use crate::pending::Pending;
use crate::settings::{Secret, Settings};
use crate::upstream::Http;

/// The fields of `/.well-known/openid-configuration` the app uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// The tokens of a successful code redemption.
pub struct KeycloakTokens {
    pub access_token: Secret,
    pub id_token: Secret,
}

/// The ID token claims checked here beyond what `jsonwebtoken` checks.
#[derive(Debug, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub aud: Value,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
}

/// Asymmetric algorithms only: an HMAC "signature" keyed with a public key is the
/// classic algorithm-confusion forgery.
pub const ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

pub struct Keycloak {
    settings: Arc<Settings>,
    http: Arc<Http>,
    discovery_url: String,
    discovery: Mutex<Option<Arc<Discovery>>>,
    jwks: Mutex<Option<Arc<KeySet>>>,
}

/// A signing key of the realm's JWKS.
struct RealmKey {
    kid: Option<String>,
    /// The key's declared algorithm, when it declares one.
    alg: Option<Algorithm>,
    jwk: Jwk,
}

impl RealmKey {
    fn parse(raw: &Value) -> Option<RealmKey> {
        let alg = match raw["alg"].as_str() {
            Some(name) => Some(name.parse::<Algorithm>().ok()?),
            None => None,
        };
        Some(RealmKey {
            kid: raw["kid"].as_str().map(String::from),
            alg,
            jwk: serde_json::from_value(raw.clone()).ok()?,
        })
    }
}

/// The realm's signing keys, as its JWKS document lists them.
pub struct KeySet(Vec<RealmKey>);

impl KeySet {
    /// Key by key: the realm also publishes encryption keys (and may publish kinds this
    /// library does not know), which must not spoil the signing keys.
    pub fn parse(doc: &Value) -> KeySet {
        KeySet(
            doc["keys"]
                .as_array()
                .map(|keys| {
                    keys.iter()
                        .filter(|k| k["use"].as_str() != Some("enc"))
                        .filter_map(RealmKey::parse)
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The decoding key for `kid` and `alg`, or the only usable key when the token names
    /// none; None when no key, or more than one, fits.
    pub fn decoding_key(&self, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
        let usable = self.0.iter().filter(|k| k.alg.is_none_or(|a| a == alg));
        let chosen: Vec<&RealmKey> = match kid {
            Some(kid) => usable.filter(|k| k.kid.as_deref() == Some(kid)).collect(),
            None => usable.collect(),
        };
        match chosen[..] {
            [key] => DecodingKey::from_jwk(&key.jwk).ok(),
            _ => None,
        }
    }
}

/// The algorithm and key id an ID token's header names, when the algorithm is one this
/// app accepts (asymmetric only).
pub fn token_header(token: &str) -> Result<(Algorithm, Option<String>), Problem> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| Problem::IdToken(IdTokenFault::Malformed))?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(Problem::IdToken(IdTokenFault::Algorithm));
    }
    Ok((header.alg, header.kid))
}

/// Everything checked of an ID token once its signing key is known: the signature by
/// `key`, the issuer, the audience (and `azp` when there are several audiences), the
/// expiry (60 s leeway) and the nonce of this sign-in.
pub fn verify_with_key(
    token: &str,
    key: &DecodingKey,
    alg: Algorithm,
    issuer: &str,
    client_id: &str,
    nonce: Option<&str>,
) -> Result<IdClaims, Problem> {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let claims = jsonwebtoken::decode::<IdClaims>(token, key, &validation)
        .map_err(|e| {
            Problem::IdToken(match e.kind() {
                ErrorKind::InvalidSignature => IdTokenFault::Signature,
                ErrorKind::ExpiredSignature => IdTokenFault::Expired,
                ErrorKind::InvalidIssuer => IdTokenFault::Issuer,
                ErrorKind::InvalidAudience => IdTokenFault::Audience,
                ErrorKind::InvalidAlgorithm => IdTokenFault::Algorithm,
                _ => IdTokenFault::Malformed,
            })
        })?
        .claims;
    if let Value::Array(aud) = &claims.aud
        && aud.len() > 1
        && claims.azp.as_deref().is_some_and(|azp| azp != client_id)
    {
        return Err(Problem::IdToken(IdTokenFault::Audience));
    }
    let nonce_ok = match (nonce, claims.nonce.as_deref()) {
        (Some(expected), Some(got)) => crate::crypto::ct_eq(expected.as_bytes(), got.as_bytes()),
        (None, _) => true,
        (Some(_), None) => false,
    };
    if !nonce_ok {
        return Err(Problem::NonceMismatch);
    }
    Ok(claims)
}

impl Keycloak {
    pub fn new(settings: Arc<Settings>, http: Arc<Http>) -> Keycloak {
        let discovery_url = format!(
            "{}/realms/{}/.well-known/openid-configuration",
            settings.kc_base_url, settings.kc_realm
        );
        Keycloak {
            settings,
            http,
            discovery_url,
            discovery: Mutex::new(None),
            jwks: Mutex::new(None),
        }
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The realm's endpoints. A failure is not cached, so the next request retries.
    pub async fn discovery(&self) -> Result<Arc<Discovery>, Problem> {
        if let Some(d) = lock(&self.discovery).clone() {
            return Ok(d);
        }
        let url = &self.discovery_url;
        let answer = self
            .http
            .call(
                Upstream::KeycloakDiscovery,
                Server::Keycloak,
                self.http.client().get(url),
            )
            .await?;
        let fail = |detail: String| Problem::Discovery {
            server: Server::Keycloak,
            url: url.clone(),
            detail,
        };
        if !answer.ok() {
            return Err(fail(format!("HTTP {}", answer.status)));
        }
        let d: Discovery = serde_json::from_slice(&answer.body)
            .map_err(|e| fail(format!("not an OpenID Connect configuration ({e})")))?;
        for endpoint in [&d.authorization_endpoint, &d.token_endpoint, &d.jwks_uri] {
            if !is_http_url(endpoint) {
                return Err(fail(format!("{endpoint:?} is not an http(s) URL")));
            }
        }
        let d = Arc::new(d);
        *lock(&self.discovery) = Some(d.clone());
        Ok(d)
    }

    pub fn authorize_url(&self, d: &Discovery, pending: &Pending) -> String {
        let mut url = url::Url::parse(&d.authorization_endpoint).expect("checked at discovery");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.settings.kc_client_id)
                .append_pair("response_type", "code")
                .append_pair("scope", "openid profile email")
                .append_pair("redirect_uri", &self.settings.keycloak_redirect_uri())
                .append_pair("state", &pending.state)
                .append_pair(
                    "code_challenge",
                    &crate::crypto::pkce_challenge(pending.verifier.expose()),
                )
                .append_pair("code_challenge_method", "S256");
            if let Some(nonce) = &pending.nonce {
                q.append_pair("nonce", nonce);
            }
        }
        url.into()
    }

    /// Redeems the authorization code (client_secret_post, with the PKCE verifier).
    pub async fn redeem_code(
        &self,
        d: &Discovery,
        code: &str,
        verifier: &Secret,
    ) -> Result<KeycloakTokens, Problem> {
        let redirect_uri = self.settings.keycloak_redirect_uri();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", verifier.expose()),
            ("client_id", &self.settings.kc_client_id),
            ("client_secret", self.settings.kc_client_secret.expose()),
        ];
        let answer = self
            .http
            .call(
                Upstream::KeycloakToken,
                Server::Keycloak,
                self.http.client().post(&d.token_endpoint).form(&form),
            )
            .await?;
        if !answer.ok() {
            let (error, description) = answer.oauth_error();
            return Err(Problem::Refused {
                step: TokenStep::KeycloakCode,
                status: answer.status,
                error,
                description,
            });
        }
        let body = answer.json().unwrap_or(Value::Null);
        let Some(access_token) = body["access_token"].as_str() else {
            return Err(Problem::BadAnswer {
                server: Server::Keycloak,
                detail: "the token answer has no access_token".into(),
            });
        };
        let Some(id_token) = body["id_token"].as_str() else {
            return Err(Problem::IdToken(IdTokenFault::Missing));
        };
        Ok(KeycloakTokens {
            access_token: Secret::new(access_token),
            id_token: Secret::new(id_token),
        })
    }

    /// Verifies the ID token: signature by a realm key, issuer, audience (and `azp`
    /// when there are several audiences), expiry, and the nonce of this sign-in.
    pub async fn verify_id_token(
        &self,
        d: &Discovery,
        id_token: &Secret,
        nonce: Option<&str>,
    ) -> Result<IdClaims, Problem> {
        let token = id_token.expose();
        let (alg, kid) = token_header(token)?;
        let key = match self.jwks(d, false).await?.decoding_key(kid.as_deref(), alg) {
            Some(key) => key,
            // Keys rotate: an unknown kid earns one fresh copy of the JWKS.
            None => self
                .jwks(d, true)
                .await?
                .decoding_key(kid.as_deref(), alg)
                .ok_or(Problem::IdToken(IdTokenFault::UnknownKey))?,
        };
        verify_with_key(
            token,
            &key,
            alg,
            &d.issuer,
            &self.settings.kc_client_id,
            nonce,
        )
    }

    async fn jwks(&self, d: &Discovery, refresh: bool) -> Result<Arc<KeySet>, Problem> {
        if !refresh && let Some(keys) = lock(&self.jwks).clone() {
            return Ok(keys);
        }
        let answer = self
            .http
            .call(
                Upstream::KeycloakJwks,
                Server::Keycloak,
                self.http.client().get(&d.jwks_uri),
            )
            .await?;
        let fail = |detail: String| Problem::Discovery {
            server: Server::Keycloak,
            url: d.jwks_uri.clone(),
            detail,
        };
        if !answer.ok() {
            return Err(fail(format!("HTTP {}", answer.status)));
        }
        let doc = answer
            .json()
            .ok_or_else(|| fail("the key set is not JSON".into()))?;
        let keys = Arc::new(KeySet::parse(&doc));
        *lock(&self.jwks) = Some(keys.clone());
        Ok(keys)
    }

    /// Keycloak's sign-out page, returning to the app's start page afterwards.
    pub async fn end_session_url(&self) -> Result<Option<String>, Problem> {
        let d = self.discovery().await?;
        let Some(endpoint) = d.end_session_endpoint.as_deref().filter(|e| is_http_url(e)) else {
            return Ok(None);
        };
        let mut url = url::Url::parse(endpoint).expect("checked above");
        url.query_pairs_mut()
            .append_pair("client_id", &self.settings.kc_client_id)
            .append_pair(
                "post_logout_redirect_uri",
                &format!("{}/", self.settings.app_external_url),
            );
        Ok(Some(url.into()))
    }
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// These locks guard a cached `Arc` only; nothing can be left inconsistent by a panic.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
