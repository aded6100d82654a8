//! The one HTTP client for Keycloak and OpenShift: TLS trust from the settings, timeouts,
//! no redirects, a cap on answer size; every call is timed into the metrics and failures
//! are logged (without URLs' query strings, bodies or tokens).

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::claims::truncate;
use crate::errors::{Problem, Server};
use crate::log;
use crate::metrics::{Metrics, Outcome, Upstream};
use crate::settings::Settings;

/// Discovery documents and token answers are small; a project list of a large cluster
/// is the biggest thing read.
const MAX_BODY: usize = 8 * 1024 * 1024;

pub struct Http {
    client: reqwest::Client,
    metrics: Arc<Metrics>,
}

/// A status and a body read in full.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The OAuth `error` and `error_description` of an error answer (RFC 6749 5.2). A
    /// body that is not such JSON is shown as text, cut short.
    pub fn oauth_error(&self) -> (String, String) {
        match self.json() {
            Some(v) if v.get("error").is_some() => (
                truncate(v["error"].as_str().unwrap_or_default(), 100),
                truncate(v["error_description"].as_str().unwrap_or_default(), 300),
            ),
            _ => (String::new(), body_excerpt(&self.body)),
        }
    }
}

/// A short, single-line excerpt of a body for a message.
pub fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(600)]);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    truncate(one_line.trim(), 200)
}

impl Http {
    pub fn new(settings: &Settings, metrics: Arc<Metrics>) -> Result<Http, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            // Upstream redirects are never part of these protocols; following one could
            // carry a client secret elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("demo-app/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60));
        if !settings.tls_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
        } else if !settings.ca_certs.is_empty() {
            // Exactly the CAs of CA_BUNDLE, as the private CA of the proof of concept.
            builder = builder.tls_certs_only(settings.ca_certs.iter().cloned());
        }
        Ok(Http {
            client: builder.build()?,
            metrics,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request and reads the answer. Any status is an `Answer`; only "no
    /// answer" (connection, TLS, timeout, oversized body) is a `Problem`.
    pub async fn call(
        &self,
        upstream: Upstream,
        server: Server,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, Problem> {
        let request = request.build().map_err(|e| Problem::BadAnswer {
            server,
            detail: error_chain(&e.without_url()),
        })?;
        let url = request.url();
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_string(),
        };
        let https = url.scheme() == "https";
        let path = url.path().to_string();
        let started = Instant::now();
        let result = self.fetch(request).await;
        let elapsed = started.elapsed();
        let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(answer) => {
                let outcome = if answer.ok() {
                    Outcome::Ok
                } else {
                    Outcome::HttpError
                };
                self.metrics.upstream(upstream, outcome, elapsed);
                let level = if answer.ok() {
                    log::Level::Debug
                } else {
                    log::Level::Warn
                };
                log::log(
                    level,
                    "upstream answered",
                    &[
                        ("upstream", upstream.label().into()),
                        ("host", (&host).into()),
                        ("path", (&path).into()),
                        ("status", answer.status.into()),
                        ("duration_ms", ms.into()),
                    ],
                );
                Ok(answer)
            }
            Err(detail) => {
                self.metrics
                    .upstream(upstream, Outcome::NetworkError, elapsed);
                log::warn(
                    "upstream unreachable",
                    &[
                        ("upstream", upstream.label().into()),
                        ("host", (&host).into()),
                        ("path", (&path).into()),
                        ("error", (&detail).into()),
                        ("duration_ms", ms.into()),
                    ],
                );
                let lower = detail.to_ascii_lowercase();
                let tls_suspect = [
                    "certificate",
                    "tls",
                    "handshake",
                    "unknownissuer",
                    "corrupt message",
                    "alert",
                ]
                .iter()
                .any(|w| lower.contains(w));
                // A refused connection or an unknown host is not about TLS.
                let tcp_level = ["connection refused", "dns error", "no route to host"]
                    .iter()
                    .any(|w| lower.contains(w));
                Err(Problem::Unreachable {
                    server,
                    host,
                    detail,
                    tls_possible: https && !tcp_level,
                    tls_suspect,
                })
            }
        }
    }

    async fn fetch(&self, request: reqwest::Request) -> Result<Answer, String> {
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|e| error_chain(&e.without_url()))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| error_chain(&e.without_url()))?
        {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(format!("the answer is larger than {} MiB", MAX_BODY >> 20));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, body })
    }
}

/// An error and its causes on one line ("error sending request: ...: connection
/// refused"), because reqwest's own message hides the useful part in the sources.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    truncate(&parts.join(": "), 400)
}
