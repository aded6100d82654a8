//! Keycloak's admin REST API: one authenticated client with token refresh, retries on
//! connection errors and 5xx, errors naming the object and Keycloak's own message, and a
//! count of the writes it made (so "a second run writes nothing" can be checked).
//!
//! It signs in with the first of its sign-ins that works: what only reads (`status`, dry
//! runs) tries bridgectl's read-only client first (a client-credentials grant: no password
//! hashing on Keycloak's side), then the admin user.

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

/// Who the client signs in as, in the master realm.
pub enum SignIn {
    /// The admin user, by the password grant of `admin-cli`.
    Admin { username: String, password: Secret },
    /// A confidential client's service account, by the client-credentials grant.
    Client { client_id: String, secret: Secret },
}

impl SignIn {
    fn form(&self) -> Vec<(&'static str, &str)> {
        match self {
            SignIn::Admin { username, password } => vec![
                ("grant_type", "password"),
                ("client_id", "admin-cli"),
                ("username", username),
                ("password", password.expose()),
            ],
            SignIn::Client { client_id, secret } => vec![
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret.expose()),
            ],
        }
    }

    fn describe(&self) -> String {
        match self {
            SignIn::Admin { username, .. } => format!("the admin sign-in for user {username:?}"),
            SignIn::Client { client_id, .. } => format!("the sign-in of client {client_id:?}"),
        }
    }
}

pub struct AdminClient {
    http: reqwest::Client,
    base: String,
    /// Tried in order; `current` is the one in use. A later one takes over when an earlier
    /// is refused, or may not read something (403).
    sign_ins: Vec<SignIn>,
    current: AtomicUsize,
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
        sign_ins: Vec<SignIn>,
        backoff: Backoff,
    ) -> Result<AdminClient> {
        if sign_ins.is_empty() {
            bail!("no way to sign in to Keycloak's admin API was given");
        }
        let client = AdminClient {
            http: client_trusting(ca_pem, Duration::from_secs(30))?,
            base: base.trim_end_matches('/').to_string(),
            sign_ins,
            current: AtomicUsize::new(0),
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

    /// Whether the sign-in in use is the client `client_id`'s service account.
    pub fn signs_in_as(&self, client_id: &str) -> bool {
        let current = self.current.load(Ordering::Relaxed);
        matches!(&self.sign_ins[current], SignIn::Client { client_id: id, .. } if id == client_id)
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
            // A read-only sign-in that may not see this (a realm it was given no roles in
            // yet): the next sign-in reads it.
            if resp.status() == StatusCode::FORBIDDEN && self.next_sign_in().await {
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

    /// Moves on to the next sign-in, if there is one; its token is fetched on next use.
    async fn next_sign_in(&self) -> bool {
        let mut slot = self.token.lock().await;
        let current = self.current.load(Ordering::Relaxed);
        if current + 1 >= self.sign_ins.len() {
            return false;
        }
        self.current.store(current + 1, Ordering::Relaxed);
        *slot = None;
        true
    }

    /// The access token, fetched again shortly before it expires.
    async fn bearer(&self) -> Result<Secret> {
        let mut slot = self.token.lock().await;
        if let Some((token, expires)) = slot.as_ref()
            && Instant::now() + REFRESH_MARGIN < *expires
        {
            return Ok(token.clone());
        }
        loop {
            let current = self.current.load(Ordering::Relaxed);
            let sign_in = &self.sign_ins[current];
            match self.sign_in(sign_in).await? {
                Ok(entry) => {
                    *slot = Some(entry.clone());
                    return Ok(entry.0);
                }
                // Refused, with another way to try: the read-only client removed or made
                // by another state directory.
                Err(_) if current + 1 < self.sign_ins.len() => {
                    self.current.store(current + 1, Ordering::Relaxed);
                }
                Err(refusal) => return Err(refusal),
            }
        }
    }

    /// One sign-in: the token and when it expires, or Keycloak's refusal (the outer error
    /// is Keycloak not answering).
    async fn sign_in(&self, sign_in: &SignIn) -> Result<Result<(Secret, Instant)>> {
        let url = format!("{}/realms/master/protocol/openid-connect/token", self.base);
        let form = sign_in.form();
        let what = sign_in.describe();
        let resp = retry(self.backoff, |_| {
            let request = self.http.post(&url).form(&form);
            let what = &what;
            async move {
                match request.send().await {
                    Ok(resp) if resp.status().is_server_error() => Err(Verdict::Retry(anyhow!(
                        "Keycloak answered {} to {what}",
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
            let message = keycloak_message(resp).await;
            return Ok(Err(match sign_in {
                SignIn::Admin { .. } => anyhow!(
                    "Keycloak refused {what} in realm master ({message}). \
                     The password in the state directory (secrets/keycloak-admin-password) does not \
                     match this Keycloak: it was probably created by another state directory. \
                     Use that state directory, or remove the Keycloak container so step1 recreates it"
                ),
                SignIn::Client { .. } => anyhow!(
                    "Keycloak refused {what} in realm master ({message}); `bridgectl step2` \
                     puts it back"
                ),
            }));
        }
        let resp = check(resp, &what).await?;
        let body: Value = resp.json().await?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| anyhow!("Keycloak's answer to {what} has no access_token"))?;
        let lifetime = body["expires_in"].as_u64().unwrap_or(60);
        Ok(Ok((
            Secret::new(token),
            Instant::now() + Duration::from_secs(lifetime),
        )))
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
    Err(Refused {
        status,
        message: format!("{what}: Keycloak answered {status}: {message}{hint}"),
    }
    .into())
}

/// Keycloak answered a request with an error status; callers that can do better than
/// stop (a conflict with a concurrent run) look for it.
#[derive(Debug)]
pub struct Refused {
    pub status: StatusCode,
    message: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {}

/// After Keycloak's 409 on a create: the object another request is creating may not be
/// readable yet (its transaction still open when Keycloak refused ours). Reads it with
/// `read` until it is, within the server backoff; `conflict` if it never shows.
pub async fn found_after_conflict<T, F, Fut>(conflict: anyhow::Error, mut read: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let found = retry(Backoff::SERVER, |_| {
        let read = read();
        async move {
            match read.await {
                Ok(Some(found)) => Ok(found),
                Ok(None) => Err(Verdict::Retry(None)),
                Err(err) => Err(Verdict::Fail(Some(err))),
            }
        }
    })
    .await;
    match found {
        Ok(found) => Ok(found),
        Err(Some(err)) => Err(err),
        Err(None) => Err(conflict),
    }
}

/// Whether `err` is Keycloak's 409: the object was created meanwhile by someone else.
pub fn is_conflict(err: &anyhow::Error) -> bool {
    err.downcast_ref::<Refused>()
        .is_some_and(|refused| refused.status == StatusCode::CONFLICT)
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
