//! HTTP clients that trust exactly the CA bridgectl generated.

use std::time::Duration;

use anyhow::{Context, Result};

/// A client that verifies servers against the certificates in `ca_pem` only (our CA, or a
/// bundle of CAs; not the system store).
pub fn client_trusting(ca_pem: &str, timeout: Duration) -> Result<reqwest::Client> {
    let cas = reqwest::Certificate::from_pem_bundle(ca_pem.as_bytes())
        .context("the CA certificate in the state directory does not parse")?;
    anyhow::ensure!(!cas.is_empty(), "no CA certificate to trust");
    reqwest::Client::builder()
        .tls_certs_only(cas)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("cannot build the HTTP client")
}

/// The root causes of a failed request, without reqwest's repeated URL wrapping.
pub fn describe_error(err: &reqwest::Error) -> String {
    let mut causes = distinct_causes(std::error::Error::source(err));
    if err.is_timeout() {
        causes.insert(0, "timed out".into());
    }
    if causes.is_empty() {
        err.to_string()
    } else {
        causes.join(": ")
    }
}

/// The messages of `first` and every error below it, each only when an earlier one does
/// not already say it (client libraries repeat their causes in their own messages).
pub fn distinct_causes(first: Option<&dyn std::error::Error>) -> Vec<String> {
    let mut causes: Vec<String> = Vec::new();
    let mut source = first;
    while let Some(cause) = source {
        let text = cause.to_string();
        if !causes.iter().any(|seen| seen.contains(&text)) {
            causes.push(text);
        }
        source = cause.source();
    }
    causes
}
