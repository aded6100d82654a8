//! A person with a browser, played over HTTP: follows redirects, keeps cookies, trusts
//! exactly the CAs of the chain, signs in on Keycloak's real login form.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use super::page::{self, keycloak_login_fields};

pub struct Visitor {
    client: reqwest::Client,
}

/// A page the visitor ended on.
pub struct Landed {
    pub url: String,
    pub status: u16,
    pub html: String,
}

impl Visitor {
    /// A fresh browser profile (empty cookie jar) trusting the PEM certificates in `ca_bundle`.
    pub fn new(ca_bundle: &str) -> Result<Visitor> {
        let certificates = reqwest::Certificate::from_pem_bundle(ca_bundle.as_bytes())
            .context("the CA bundle does not parse")?;
        let client = reqwest::Client::builder()
            .tls_certs_only(certificates)
            .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Visitor { client })
    }

    pub async fn get(&self, url: &str) -> Result<Landed> {
        let resp = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|err| anyhow!("GET {url}: {}", crate::http::describe_error(&err)))?;
        landed(resp).await
    }

    /// Starts at `<app>/login`, fills Keycloak's form, and returns the page the app shows.
    pub async fn sign_in(&self, app_url: &str, username: &str, password: &str) -> Result<Landed> {
        let login = self.get(&format!("{app_url}/login")).await?;
        let Some(action) = page::keycloak_form_action(&login.html) else {
            bail!(
                "no Keycloak login form at {} ({}): {}",
                login.url,
                login.status,
                page::excerpt(&login.html)
            );
        };
        let resp = self
            .client
            .post(&action)
            .form(&keycloak_login_fields(username, password))
            .send()
            .await
            .map_err(|err| {
                anyhow!(
                    "submitting the login form: {}",
                    crate::http::describe_error(&err)
                )
            })?;
        let landed = landed(resp).await?;
        if !landed.url.starts_with(app_url) {
            let reason = page::keycloak_feedback(&landed.html)
                .unwrap_or_else(|| page::excerpt(&landed.html));
            bail!("Keycloak did not send {username} back to the app: {reason}");
        }
        Ok(landed)
    }
}

async fn landed(resp: reqwest::Response) -> Result<Landed> {
    let url = resp.url().to_string();
    let status = resp.status().as_u16();
    let html = resp.text().await.unwrap_or_default();
    Ok(Landed { url, status, html })
}
