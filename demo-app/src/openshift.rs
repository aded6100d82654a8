//! Steps 2b and 2c: OpenShift's OAuth server (endpoints from RFC 8414 discovery on the
//! API server), the authorization request with `idp=` so the Keycloak SSO session
//! completes it without a selection page, the code redemption, and the two API calls
//! made with the user's OpenShift token.

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::Value;

use crate::claims::truncate;
use crate::errors::{Problem, Server, TokenStep};
use crate::log;
use crate::metrics::Upstream;
use crate::pending::Pending;
use crate::settings::{Secret, Settings};
use crate::upstream::{Answer, Http, body_excerpt};

pub const USER_PATH: &str = "/apis/user.openshift.io/v1/users/~";
pub const PROJECTS_PATH: &str = "/apis/project.openshift.io/v1/projects";
/// How much of the OpenShift token the page shows.
pub const TOKEN_PREFIX_CHARS: usize = 40;
/// Bounds the memory one session can hold.
const MAX_PROJECTS: usize = 1000;

#[derive(Debug, Clone, Deserialize)]
pub struct OAuthEndpoints {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
}

/// What is kept of the OpenShift part: never the token, only its beginning.
#[derive(Debug, Clone, Default)]
pub struct OcpResult {
    pub token_prefix: String,
    pub user: Option<OcpUser>,
    pub projects: Option<Vec<Project>>,
    /// `GET <url>` of each API call made.
    pub api_calls: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcpUser {
    pub name: String,
    pub uid: String,
    pub full_name: String,
    pub identities: Vec<String>,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    pub name: String,
    pub phase: String,
    pub display_name: String,
}

pub struct OpenShift {
    settings: Arc<Settings>,
    http: Arc<Http>,
    endpoints: Mutex<Option<Arc<OAuthEndpoints>>>,
}

impl OpenShift {
    pub fn new(settings: Arc<Settings>, http: Arc<Http>) -> OpenShift {
        OpenShift {
            settings,
            http,
            endpoints: Mutex::new(None),
        }
    }

    /// The OAuth endpoints: discovered from the API server; when that fails and
    /// `OCP_OAUTH_URL` is set, its conventional paths.
    pub async fn endpoints(&self) -> Result<Arc<OAuthEndpoints>, Problem> {
        if let Some(e) = lock(&self.endpoints).clone() {
            return Ok(e);
        }
        match self.discover().await {
            Ok(e) => {
                let e = Arc::new(e);
                *lock(&self.endpoints) = Some(e.clone());
                Ok(e)
            }
            Err(problem) => match &self.settings.ocp_oauth_url {
                Some(base) => {
                    log::warn(
                        "OpenShift OAuth discovery failed; using OCP_OAUTH_URL",
                        &[("problem", problem.kind().into())],
                    );
                    // Not cached: discovery is retried next time.
                    Ok(Arc::new(OAuthEndpoints {
                        authorization_endpoint: format!("{base}/oauth/authorize"),
                        token_endpoint: format!("{base}/oauth/token"),
                    }))
                }
                None => Err(problem),
            },
        }
    }

    async fn discover(&self) -> Result<OAuthEndpoints, Problem> {
        let url = format!(
            "{}/.well-known/oauth-authorization-server",
            self.settings.ocp_api_url
        );
        let answer = self
            .http
            .call(
                Upstream::OcpDiscovery,
                Server::OpenShiftApi,
                self.http.client().get(&url),
            )
            .await?;
        let fail = |detail: String| Problem::Discovery {
            server: Server::OpenShiftOAuth,
            url: url.clone(),
            detail,
        };
        if !answer.ok() {
            return Err(fail(format!("HTTP {}", answer.status)));
        }
        let e: OAuthEndpoints = serde_json::from_slice(&answer.body)
            .map_err(|e| fail(format!("not OAuth server metadata ({e})")))?;
        for endpoint in [&e.authorization_endpoint, &e.token_endpoint] {
            let ok = url::Url::parse(endpoint)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(fail(format!("{endpoint:?} is not an http(s) URL")));
            }
        }
        Ok(e)
    }

    pub fn authorize_url(&self, e: &OAuthEndpoints, pending: &Pending) -> Result<String, Problem> {
        let mut url =
            url::Url::parse(&e.authorization_endpoint).map_err(|err| Problem::Discovery {
                server: Server::OpenShiftOAuth,
                url: e.authorization_endpoint.clone(),
                detail: err.to_string(),
            })?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.settings.ocp_oauth_client_id)
            // Names the identity provider, so OpenShift goes straight to Keycloak
            // instead of showing its provider selection page.
            .append_pair("idp", &self.settings.ocp_idp_name)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &self.settings.openshift_redirect_uri())
            .append_pair("state", &pending.state)
            .append_pair(
                "code_challenge",
                &crate::crypto::pkce_challenge(pending.verifier.expose()),
            )
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    pub async fn redeem_code(
        &self,
        e: &OAuthEndpoints,
        code: &str,
        verifier: &Secret,
    ) -> Result<Secret, Problem> {
        let redirect_uri = self.settings.openshift_redirect_uri();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri),
            ("client_id", &self.settings.ocp_oauth_client_id),
            (
                "client_secret",
                self.settings.ocp_oauth_client_secret.expose(),
            ),
            ("code_verifier", verifier.expose()),
        ];
        let answer = self
            .http
            .call(
                Upstream::OcpToken,
                Server::OpenShiftOAuth,
                self.http.client().post(&e.token_endpoint).form(&form),
            )
            .await?;
        if !answer.ok() {
            let (error, description) = answer.oauth_error();
            return Err(Problem::Refused {
                step: TokenStep::OpenShiftCode,
                status: answer.status,
                error,
                description,
            });
        }
        match answer
            .json()
            .as_ref()
            .and_then(|v| v["access_token"].as_str())
        {
            Some(token) if !token.is_empty() => Ok(Secret::new(token)),
            _ => Err(Problem::BadAnswer {
                server: Server::OpenShiftOAuth,
                detail: "the token answer has no access_token".into(),
            }),
        }
    }

    pub fn user_url(&self) -> String {
        format!("{}{USER_PATH}", self.settings.ocp_api_url)
    }

    pub fn projects_url(&self) -> String {
        format!("{}{PROJECTS_PATH}", self.settings.ocp_api_url)
    }

    async fn api_get(&self, url: &str, token: &Secret) -> Result<Value, Problem> {
        let answer = self
            .http
            .call(
                Upstream::OcpApi,
                Server::OpenShiftApi,
                self.http.client().get(url).bearer_auth(token.expose()),
            )
            .await?;
        if !answer.ok() {
            return Err(Problem::OcpApi {
                status: answer.status,
                url: url.to_string(),
                message: status_message(&answer),
            });
        }
        answer.json().ok_or_else(|| Problem::BadAnswer {
            server: Server::OpenShiftApi,
            detail: format!("{url} did not answer JSON"),
        })
    }

    /// `GET users/~`: who OpenShift thinks the token belongs to.
    pub async fn user(&self, token: &Secret) -> Result<OcpUser, Problem> {
        let v = self.api_get(&self.user_url(), token).await?;
        let text = |v: &Value| truncate(v.as_str().unwrap_or_default(), 256);
        let list = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| a.iter().take(100).map(text).collect())
                .unwrap_or_default()
        };
        Ok(OcpUser {
            name: text(&v["metadata"]["name"]),
            uid: text(&v["metadata"]["uid"]),
            full_name: text(&v["fullName"]),
            identities: list(&v["identities"]),
            groups: list(&v["groups"]),
        })
    }

    /// `GET projects`: the projects the user may see (OpenShift filters by RBAC).
    pub async fn projects(&self, token: &Secret) -> Result<Vec<Project>, Problem> {
        let v = self.api_get(&self.projects_url(), token).await?;
        let text = |v: &Value| truncate(v.as_str().unwrap_or_default(), 256);
        let items = v["items"].as_array().map(Vec::as_slice).unwrap_or_default();
        Ok(items
            .iter()
            .take(MAX_PROJECTS)
            .map(|item| Project {
                name: text(&item["metadata"]["name"]),
                phase: text(&item["status"]["phase"]),
                display_name: text(&item["metadata"]["annotations"]["openshift.io/display-name"]),
            })
            .collect())
    }
}

/// The `message` of a Kubernetes Status answer, or an excerpt of the body.
fn status_message(answer: &Answer) -> String {
    answer
        .json()
        .and_then(|v| v["message"].as_str().map(|m| truncate(m, 300)))
        .unwrap_or_else(|| body_excerpt(&answer.body))
}

/// The first `TOKEN_PREFIX_CHARS` characters of a token, for display.
pub fn token_prefix(token: &Secret) -> String {
    token.expose().chars().take(TOKEN_PREFIX_CHARS).collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
