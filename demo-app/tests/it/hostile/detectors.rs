//! The detectors, shared by every hostile test: what each answer is held to (no 500, no
//! secret given away, no `Location` out of the app's origins, no injected header or
//! cookie, no reflected script), the panic counter and `/health`.

use reqwest::Url;
use tokio::net::TcpStream;

use super::wire::{Wire, exchange, get, show};
use crate::support::Harness;

/// One secret and the texts that would give it away.
pub(super) struct Secret {
    pub(super) what: String,
    pub(super) needles: Vec<String>,
}

impl Secret {
    /// `shown` is how many leading characters may appear by design (the page shows the
    /// first 40 characters of the OpenShift token).
    pub(super) fn new(what: impl Into<String>, value: &str, shown: usize) -> Secret {
        let mut needles = vec![value.to_string()];
        // Any part of it past what is shown: its last characters (a JWT's signature)...
        let hidden = value.len().saturating_sub(shown);
        let tail = hidden.min(24);
        if tail >= 8 && tail < value.len() {
            needles.push(value[value.len() - tail..].to_string());
        }
        // ...and a JWT's payload segment as it stands in the token.
        let parts: Vec<&str> = value.split('.').collect();
        if parts.len() == 3 && parts[1].len() >= 16 {
            needles.push(parts[1].to_string());
        }
        Secret {
            what: what.into(),
            needles,
        }
    }
}

/// Every secret of this test bed so far: what the app was configured with, and what the
/// fakes issued or were sent.
pub(super) fn secrets(h: &Harness) -> Vec<Secret> {
    let s = &h.app.settings;
    let mut all = vec![
        Secret::new("KC_CLIENT_SECRET", s.kc_client_secret.expose(), 0),
        Secret::new("KC_OCP_CLIENT_SECRET", s.kc_ocp_client_secret.expose(), 0),
        Secret::new(
            "OCP_OAUTH_CLIENT_SECRET",
            s.ocp_oauth_client_secret.expose(),
            0,
        ),
        Secret::new("FLASK_SECRET_KEY", s.session_key.expose(), 0),
    ];
    {
        let kc = h.kc.lock();
        let lists = [
            ("Keycloak access token", &kc.issued_access_tokens),
            ("ID token", &kc.issued_id_tokens),
            ("refresh token", &kc.issued_refresh_tokens),
            ("exchanged token", &kc.exchanged_tokens),
        ];
        for (what, list) in lists {
            all.extend(list.iter().map(|t| Secret::new(what, t, 0)));
        }
        for req in &kc.token_requests {
            if let Some(v) = req.get("code_verifier") {
                all.push(Secret::new("Keycloak PKCE verifier", v, 0));
            }
        }
    }
    let ocp = h.ocp.lock();
    all.extend(ocp.issued_tokens.iter().map(|t| {
        Secret::new(
            "OpenShift token",
            t,
            demo_app::openshift::TOKEN_PREFIX_CHARS,
        )
    }));
    for req in &ocp.token_requests {
        if let Some(v) = req.get("code_verifier") {
            all.push(Secret::new("OpenShift PKCE verifier", v, 0));
        }
    }
    all
}

/// The first secret an answer gives away, as "<what> (<text>) in <where>".
pub(super) fn leaked(secrets: &[Secret], wire: &Wire) -> Option<String> {
    let places = wire
        .headers
        .iter()
        .map(|(name, value)| (format!("header {name}"), value))
        .chain(std::iter::once(("the body".to_string(), &wire.body)));
    for (place, bytes) in places {
        let text = String::from_utf8_lossy(bytes);
        for secret in secrets {
            if let Some(n) = secret.needles.iter().find(|n| text.contains(n.as_str())) {
                return Some(format!("{} ({n:?}) in {place}", secret.what));
            }
        }
    }
    None
}

/// Where the app may send a browser: itself, and the configured Keycloak and OpenShift.
pub(super) struct Origins {
    pub(super) app: Url,
    pub(super) allowed: Vec<url::Origin>,
}

impl Origins {
    pub(super) fn of(h: &Harness) -> Origins {
        let app = Url::parse(&h.url).unwrap();
        let allowed = [&h.url, &h.kc.base, &h.ocp.base]
            .iter()
            .map(|u| Url::parse(u).unwrap().origin())
            .collect();
        Origins { app, allowed }
    }

    /// What is wrong with a `Location`, if anything: it leaves the allowed origins, or
    /// it carries a redirect URI (to Keycloak or OpenShift) that does not lead back here.
    pub(super) fn check(&self, location: &str) -> Result<(), String> {
        let target = self
            .app
            .join(location)
            .map_err(|e| format!("Location {location:?} does not parse: {e}"))?;
        if !self.allowed.contains(&target.origin()) {
            return Err(format!("Location {location:?} leaves the app ({target})"));
        }
        for (name, value) in target.query_pairs() {
            if name.contains("redirect") {
                let back = self.app.join(&value).ok().map(|u| u.origin());
                if back != Some(self.app.origin()) {
                    return Err(format!(
                        "Location {location:?} sends {name}={value:?}, not back to the app"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A marker put in injection attempts; it must never come back as a header.
pub(super) const MARK: &str = "pwned";

/// Everything one answer must satisfy, apart from the app staying up.
pub(super) fn verdict(secrets: &[Secret], origins: &Origins, wire: &Wire) -> Result<(), String> {
    if wire.status == Some(500) {
        return Err(format!("a 500: {}", show(&wire.body, 400)));
    }
    if let Some(what) = leaked(secrets, wire) {
        return Err(format!("leaked {what}"));
    }
    for location in wire.all("location") {
        origins.check(&location)?;
    }
    for (name, value) in &wire.headers {
        let value = String::from_utf8_lossy(value).to_ascii_lowercase();
        if name.contains(MARK) || value.contains(MARK) {
            return Err(format!("injected header {name}: {value}"));
        }
    }
    for cookie in wire.all("set-cookie") {
        if !(cookie.starts_with("demo_session=") || cookie.starts_with("lang=")) {
            return Err(format!("sets a cookie that is not the app's: {cookie}"));
        }
    }
    // The app has no script at all (its CSP forbids it): any script tag is reflected.
    if wire.text().to_ascii_lowercase().contains("<script") {
        return Err("reflects a <script> tag".into());
    }
    Ok(())
}

/// `demo_app_handler_panics_total`, from the app's own metrics.
pub(super) fn panics(h: &Harness) -> u64 {
    h.app
        .metrics
        .render(0)
        .lines()
        .find_map(|l| l.strip_prefix("demo_app_handler_panics_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the panic counter is rendered")
}

/// `/health` on a fresh connection.
pub(super) async fn healthy(addr: &str) -> Result<(), String> {
    let Ok(stream) = TcpStream::connect(addr).await else {
        return Err(format!("nothing listens on {addr}"));
    };
    drop(stream);
    let wire = exchange(addr, get("/health").bytes(addr), false).await?;
    if wire.status == Some(200) && wire.body == br#"{"status":"ok"}"# {
        Ok(())
    } else {
        Err(format!(
            "/health answered {:?} {}",
            wire.status,
            show(&wire.body, 200)
        ))
    }
}
