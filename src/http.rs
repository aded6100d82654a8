//! HTTP clients that trust exactly the CA bridgectl generated.

use std::time::Duration;

use anyhow::{Context, Result};

/// A client that verifies servers against `ca_pem` only (not the system store).
pub fn client_trusting(ca_pem: &str, timeout: Duration) -> Result<reqwest::Client> {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes())
        .context("the CA certificate in the state directory does not parse")?;
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("cannot build the HTTP client")
}

/// A one-line cause for a failed request, naming TLS problems plainly.
pub fn describe_error(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
