//! Test harness: an in-process simulator on free ports and an HTTPS client that
//! trusts only its CA.

pub mod fake_idp;
pub mod keycloak;

use reqwest::Method;
use serde_json::Value;

pub struct TestSim {
    pub running: ocp_sim::Running,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// A client trusting only `ca_pem`, never following redirects.
pub fn client_for(ca_pem: &str, cookies: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA parses");
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .build()
        .expect("client builds")
}

impl TestSim {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// `tokens`: (user, token) pairs for RBAC-less test users.
    pub async fn start_with(tokens: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, tokens).await
    }

    pub async fn start_in(dir: tempfile::TempDir, tokens: &[(&str, &str)]) -> Self {
        Self::start_configured(dir, |options| {
            options.tokens = tokens
                .iter()
                .map(|(u, t)| (u.to_string(), t.to_string()))
                .collect();
        })
        .await
    }

    /// A simulator that does not serve `groups` (as plain Kubernetes would not).
    pub async fn start_without(groups: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_configured(dir, |options| {
            options.without_groups = groups.iter().map(|g| g.to_string()).collect();
        })
        .await
    }

    async fn start_configured(
        dir: tempfile::TempDir,
        configure: impl FnOnce(&mut ocp_sim::Options),
    ) -> Self {
        let mut options = ocp_sim::Options::ephemeral(dir.path().join("data"));
        configure(&mut options);
        let running = ocp_sim::start(options).await.expect("simulator starts");
        let http = client_for(&running.ca_pem, false);
        Self { running, dir, http }
    }

    pub fn admin(&self) -> String {
        self.running.admin_token.clone()
    }

    /// One API call. `body` is sent as-is with `content_type` (JSON by default).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.running.api_url));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req
                .header("content-type", content_type.unwrap_or("application/json"))
                .body(body);
        }
        let resp = req.send().await.expect("request goes through");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, Some(&self.admin()), None, None)
            .await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, Some(token), None, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(
            Method::POST,
            path,
            Some(&self.admin()),
            None,
            Some(body.to_string()),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(
            Method::PUT,
            path,
            Some(&self.admin()),
            None,
            Some(body.to_string()),
        )
        .await
    }

    pub async fn patch(&self, path: &str, content_type: &str, body: Value) -> (u16, Value) {
        self.call(
            Method::PATCH,
            path,
            Some(&self.admin()),
            Some(content_type),
            Some(body.to_string()),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, Some(&self.admin()), None, None)
            .await
    }

    /// Creates an OAuthClient with auto grant.
    pub async fn add_oauth_client(&self, name: &str, secret: &str, redirect: &str) {
        let (code, body) = self
            .post(
                "/apis/oauth.openshift.io/v1/oauthclients",
                serde_json::json!({
                    "apiVersion": "oauth.openshift.io/v1",
                    "kind": "OAuthClient",
                    "metadata": {"name": name},
                    "secret": secret,
                    "redirectURIs": [redirect],
                    "grantMethod": "auto",
                }),
            )
            .await;
        assert_eq!(code, 201, "{body}");
    }
}

/// Asserts a Kubernetes Status failure.
#[track_caller]
pub fn assert_status(got: &(u16, Value), code: u16, reason: &str) {
    let (status, body) = got;
    assert_eq!(*status, code, "unexpected status; body: {body}");
    assert_eq!(body["kind"], "Status", "{body}");
    assert_eq!(body["status"], "Failure", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["reason"], reason, "{body}");
}
