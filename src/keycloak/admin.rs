//! Keycloak's admin REST API: one authenticated client with token refresh, retries on
//! connection errors and 5xx, errors naming the object and Keycloak's own message, and a
//! count of the writes it made (so "a second run writes nothing" can be checked).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::http::{client_trusting, describe_error};
use crate::retry::{Backoff, Verdict, retry};
use crate::state::Secret;

/// Refresh the admin token this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(15);

pub struct AdminClient {
    http: reqwest::Client,
    base: String,
    username: String,
    password: Secret,
    token: Mutex<Option<(Secret, Instant)>>,
    writes: AtomicUsize,
    backoff: Backoff,
}

impl AdminClient {
    /// Connects and signs in to the master realm; fails clearly when Keycloak is down or the
    /// password is wrong.
    pub async fn connect(
        base: &str,
        ca_pem: &str,
        username: &str,
        password: Secret,
        backoff: Backoff,
    ) -> Result<AdminClient> {
        let client = AdminClient {
            http: client_trusting(ca_pem, Duration::from_secs(30))?,
            base: base.trim_end_matches('/').to_string(),
            username: username.to_string(),
            password,
            token: Mutex::new(None),
            writes: AtomicUsize::new(0),
            backoff,
        };
        client.bearer().await?;
        Ok(client)
    }

    /// From now on, wait up to `backoff` for a Keycloak that stops answering mid-run (a
    /// restart) instead of the first sign-in's shorter budget.
    pub fn riding_out_restarts(mut self, backoff: Backoff) -> AdminClient {
        self.backoff = backoff;
        self
    }

    /// Writes (POST, PUT, DELETE) made so far.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::Relaxed)
    }

    /// A JSON document, or `None` on 404.
    pub async fn get(&self, path: &str, what: &str) -> Result<Option<Value>> {
        let resp = self.send(Method::GET, path, None, what).await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = check(resp, what).await?;
        Ok(Some(resp.json().await.map_err(|err| {
            anyhow!("{what}: Keycloak sent a body that is not JSON: {err}")
        })?))
    }

    /// `/admin/serverinfo`: the version, the features, the providers. The one call outside
    /// `/admin/realms`; the URL parser resolves the `..` to the realms' parent.
    pub async fn server_info(&self) -> Result<Value> {
        self.get("/../serverinfo", "Keycloak's server info")
            .await?
            .ok_or_else(|| anyhow!("Keycloak has no /admin/serverinfo (is it Keycloak?)"))
    }

    /// Creates; returns the new object's id from the Location header when there is one.
    pub async fn post(&self, path: &str, body: &Value, what: &str) -> Result<Option<String>> {
        let resp = self.send(Method::POST, path, Some(body), what).await?;
        let resp = check(resp, what).await?;
        let id = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.rsplit('/').next())
            .map(String::from);
        Ok(id)
    }

    pub async fn put(&self, path: &str, body: &Value, what: &str) -> Result<()> {
        let resp = self.send(Method::PUT, path, Some(body), what).await?;
        check(resp, what).await.map(drop)
    }

    pub async fn delete(&self, path: &str, what: &str) -> Result<()> {
        let resp = self.send(Method::DELETE, path, None, what).await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        check(resp, what).await.map(drop)
    }

    /// The one place requests are made: retries transient failures, refreshes the token
    /// once on 401.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<reqwest::Response> {
        let url = format!("{}/admin/realms{path}", self.base);
        if method != Method::GET {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
        let may_repeat = method != Method::POST;
        let mut refreshed = false;
        loop {
            let token = self.bearer().await?;
            let resp = retry(self.backoff, |_| {
                let mut request = self
                    .http
                    .request(method.clone(), &url)
                    .bearer_auth(token.expose());
                if let Some(body) = body {
                    request = request.json(body);
                }
                async move {
                    match request.send().await {
                        Ok(resp) if resp.status().is_server_error() => {
                            let status = resp.status();
                            let message = keycloak_message(resp).await;
                            Err(Verdict::Retry(anyhow!(
                                "{what}: Keycloak answered {status}: {message}"
                            )))
                        }
                        Ok(resp) => Ok(resp),
                        Err(err) if err.is_connect() => {
                            Err(Verdict::Retry(unreachable(&self.base, &err)))
                        }
                        // The request may have reached Keycloak: only a read, or a write
                        // that lands the same twice, may be sent again.
                        Err(err) if may_repeat => {
                            Err(Verdict::Retry(unreachable(&self.base, &err)))
                        }
                        Err(err) => Err(Verdict::Fail(anyhow!(
                            "{what}: the connection to Keycloak broke during the request ({}); \
                             it may or may not have been applied. Run the step again: it reads \
                             what exists and finishes the rest",
                            describe_error(&err)
                        ))),
                    }
                }
            })
            .await?;
            if resp.status() == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                *self.token.lock().await = None;
                continue;
            }
            if method != Method::GET {
                crate::crash_point::wrote(|| {
                    format!("keycloak {method} {}", crate::crash_point::path_label(path))
                });
            }
            return Ok(resp);
        }
    }

    /// The admin access token, fetched again shortly before it expires.
    async fn bearer(&self) -> Result<Secret> {
        let mut slot = self.token.lock().await;
        if let Some((token, expires)) = slot.as_ref()
            && Instant::now() + REFRESH_MARGIN < *expires
        {
            return Ok(token.clone());
        }
        let url = format!("{}/realms/master/protocol/openid-connect/token", self.base);
        let form = [
            ("grant_type", "password"),
            ("client_id", "admin-cli"),
            ("username", self.username.as_str()),
            ("password", self.password.expose()),
        ];
        let resp = retry(self.backoff, |_| {
            let request = self.http.post(&url).form(&form);
            async move {
                match request.send().await {
                    Ok(resp) if resp.status().is_server_error() => Err(Verdict::Retry(anyhow!(
                        "Keycloak answered {} to the admin sign-in",
                        resp.status()
                    ))),
                    Ok(resp) => Ok(resp),
                    Err(err) if err.is_connect() || err.is_timeout() => {
                        Err(Verdict::Retry(unreachable(&self.base, &err)))
                    }
                    Err(err) => Err(Verdict::Fail(anyhow!(
                        "cannot reach Keycloak at {}: {}",
                        self.base,
                        describe_error(&err)
                    ))),
                }
            }
        })
        .await?;
        if resp.status() == StatusCode::UNAUTHORIZED || resp.status() == StatusCode::BAD_REQUEST {
            bail!(
                "Keycloak refused the admin sign-in for user {:?} in realm master ({}). \
                 The password in the state directory (secrets/keycloak-admin-password) does not \
                 match this Keycloak: it was probably created by another state directory. \
                 Use that state directory, or remove the Keycloak container so step1 recreates it",
                self.username,
                keycloak_message(resp).await
            );
        }
        let resp = check(resp, "admin sign-in").await?;
        let body: Value = resp.json().await?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| anyhow!("Keycloak's admin sign-in answer has no access_token"))?;
        let lifetime = body["expires_in"].as_u64().unwrap_or(60);
        let entry = (
            Secret::new(token),
            Instant::now() + Duration::from_secs(lifetime),
        );
        *slot = Some(entry.clone());
        Ok(entry.0)
    }
}

fn unreachable(base: &str, err: &reqwest::Error) -> anyhow::Error {
    anyhow!(
        "cannot reach Keycloak at {base} ({}). Is the Keycloak container running? \
         `bridgectl step1` starts it",
        describe_error(err)
    )
}

/// Passes 2xx through; turns anything else into an error naming the object.
async fn check(resp: reqwest::Response, what: &str) -> Result<reqwest::Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let message = keycloak_message(resp).await;
    let hint = match status {
        StatusCode::FORBIDDEN => "; the admin user lacks the permission",
        StatusCode::CONFLICT => "; it already exists (created concurrently?) — run again",
        _ => "",
    };
    bail!("{what}: Keycloak answered {status}: {message}{hint}")
}

/// Keycloak's own words from an error body (`errorMessage`, `error_description`, `error`).
async fn keycloak_message(resp: reqwest::Response) -> String {
    let text = resp.text().await.unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v[name].as_str())
            .map(String::from)
    };
    field("errorMessage")
        .or_else(|| field("error_description"))
        .or_else(|| field("error"))
        .unwrap_or_else(|| text.chars().take(200).collect())
}
