//! Configuration from environment variables. The names are those of the original Flask
//! app (including `FLASK_SECRET_KEY`) so existing deployments keep working.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::log::Level;

/// A secret value: Debug and Display print `***`; `expose()` is the only way to the
/// value, so every use is easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why the configuration cannot be used. Names the variable, never a secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    Missing(&'static str),
    Invalid { name: &'static str, why: String },
    CaBundle { path: String, why: String },
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Missing(name) => {
                write!(f, "missing required environment variable {name}")
            }
            SettingsError::Invalid { name, why } => {
                write!(f, "invalid value for environment variable {name}: {why}")
            }
            SettingsError::CaBundle { path, why } => {
                write!(f, "CA_BUNDLE: cannot use {path}: {why}")
            }
        }
    }
}

impl std::error::Error for SettingsError {}

#[derive(Clone)]
pub struct Settings {
    pub kc_base_url: String,
    pub kc_realm: String,
    pub kc_client_id: String,
    pub kc_client_secret: Secret,
    pub kc_ocp_client_id: String,
    pub kc_ocp_client_secret: Secret,
    pub ocp_api_url: String,
    pub ocp_oauth_url: Option<String>,
    pub ocp_oauth_client_id: String,
    pub ocp_oauth_client_secret: Secret,
    pub ocp_idp_name: String,
    pub app_external_url: String,
    pub tls_verify: bool,
    pub ca_bundle: Option<PathBuf>,
    /// The certificates read from `CA_BUNDLE` (read once, at start).
    pub ca_certs: Vec<reqwest::Certificate>,
    pub session_key: Secret,
    /// True when `FLASK_SECRET_KEY` was absent and a random key was generated.
    pub session_key_generated: bool,
    pub port: u16,
    pub bind_address: IpAddr,
    pub log_level: Level,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("kc_base_url", &self.kc_base_url)
            .field("kc_realm", &self.kc_realm)
            .field("kc_client_id", &self.kc_client_id)
            .field("kc_ocp_client_id", &self.kc_ocp_client_id)
            .field("ocp_api_url", &self.ocp_api_url)
            .field("ocp_oauth_url", &self.ocp_oauth_url)
            .field("ocp_oauth_client_id", &self.ocp_oauth_client_id)
            .field("ocp_idp_name", &self.ocp_idp_name)
            .field("app_external_url", &self.app_external_url)
            .field("tls_verify", &self.tls_verify)
            .field("ca_bundle", &self.ca_bundle)
            .field("port", &self.port)
            .field("bind_address", &self.bind_address)
            .field("log_level", &self.log_level)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the tests pass a map).
    /// An empty value counts as absent.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &'static str| get(name).ok_or(SettingsError::Missing(name));
        let or = |name: &str, default: &str| get(name).unwrap_or_else(|| default.to_string());
        let secret = |name: &'static str| {
            lookup(name)
                .filter(|v| !v.is_empty())
                .map(Secret)
                .ok_or(SettingsError::Missing(name))
        };

        let kc_base_url = base_url("KC_BASE_URL", &required("KC_BASE_URL")?)?;
        let kc_client_secret = secret("KC_CLIENT_SECRET")?;
        let kc_ocp_client_secret = secret("KC_OCP_CLIENT_SECRET")?;
        let ocp_api_url = base_url("OCP_API_URL", &required("OCP_API_URL")?)?;
        let ocp_oauth_client_secret = secret("OCP_OAUTH_CLIENT_SECRET")?;
        let ocp_oauth_url = match get("OCP_OAUTH_URL") {
            Some(v) => Some(base_url("OCP_OAUTH_URL", &v)?),
            None => None,
        };

        let port = match get("PORT") {
            Some(v) => v.parse::<u16>().map_err(|_| SettingsError::Invalid {
                name: "PORT",
                why: "expected a port number (0-65535)".into(),
            })?,
            None => 8080,
        };
        let bind_address = match get("BIND_ADDRESS") {
            Some(v) => v.parse::<IpAddr>().map_err(|_| SettingsError::Invalid {
                name: "BIND_ADDRESS",
                why: "expected an IP address such as 0.0.0.0 or ::".into(),
            })?,
            None => IpAddr::from([0, 0, 0, 0]),
        };
        let app_external_url = match get("APP_EXTERNAL_URL") {
            Some(v) => base_url("APP_EXTERNAL_URL", &v)?,
            None => format!("http://localhost:{port}"),
        };
        let tls_verify = match get("TLS_VERIFY").map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("true" | "1" | "yes" | "on") => true,
            Some("false" | "0" | "no" | "off") => false,
            Some(_) => {
                return Err(SettingsError::Invalid {
                    name: "TLS_VERIFY",
                    why: "expected true or false".into(),
                });
            }
        };
        let log_level = match get("LOG_LEVEL") {
            Some(v) => Level::parse(&v).ok_or_else(|| SettingsError::Invalid {
                name: "LOG_LEVEL",
                why: "expected one of error, warn, info, debug, off".into(),
            })?,
            None => Level::Info,
        };

        let ca_bundle = get("CA_BUNDLE").map(PathBuf::from);
        let ca_certs = match &ca_bundle {
            Some(path) => read_ca_bundle(path)?,
            None => Vec::new(),
        };

        let (session_key, session_key_generated) = match lookup("FLASK_SECRET_KEY") {
            Some(v) if !v.is_empty() => {
                // A short key would make the cookie signature guessable offline.
                if v.len() < 16 {
                    return Err(SettingsError::Invalid {
                        name: "FLASK_SECRET_KEY",
                        why: "too short; use at least 16 random characters".into(),
                    });
                }
                (Secret(v), false)
            }
            _ => (Secret(crate::crypto::random_token()), true),
        };

        Ok(Settings {
            kc_base_url,
            kc_realm: or("KC_REALM", "demo"),
            kc_client_id: or("KC_CLIENT_ID", "third-party-app"),
            kc_client_secret,
            kc_ocp_client_id: or("KC_OCP_CLIENT_ID", "ocp-oauth"),
            kc_ocp_client_secret,
            ocp_api_url,
            ocp_oauth_url,
            ocp_oauth_client_id: or("OCP_OAUTH_CLIENT_ID", "third-party-demo"),
            ocp_oauth_client_secret,
            ocp_idp_name: or("OCP_IDP_NAME", "keycloak"),
            app_external_url,
            tls_verify,
            ca_bundle,
            ca_certs,
            session_key,
            session_key_generated,
            port,
            bind_address,
            log_level,
        })
    }

    /// True when the app is reached over https, so its cookies get `Secure`.
    pub fn external_https(&self) -> bool {
        self.app_external_url.starts_with("https://")
    }

    pub fn keycloak_redirect_uri(&self) -> String {
        format!("{}/callback/keycloak", self.app_external_url)
    }

    pub fn openshift_redirect_uri(&self) -> String {
        format!("{}/callback/ocp", self.app_external_url)
    }
}

/// An absolute http(s) URL without the trailing slash, so paths can be appended.
fn base_url(name: &'static str, value: &str) -> Result<String, SettingsError> {
    let parsed = url::Url::parse(value).map_err(|e| SettingsError::Invalid {
        name,
        why: format!("not an absolute URL ({e})"),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(SettingsError::Invalid {
            name,
            why: "expected an http:// or https:// URL with a host".into(),
        });
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(SettingsError::Invalid {
            name,
            why: "a base URL has no query string or fragment".into(),
        });
    }
    Ok(value.trim_end_matches('/').to_string())
}

fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, SettingsError> {
    let shown = path.display().to_string();
    let pem = std::fs::read(path).map_err(|e| SettingsError::CaBundle {
        path: shown.clone(),
        why: e.to_string(),
    })?;
    let certs =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| SettingsError::CaBundle {
            path: shown.clone(),
            why: "not a PEM file of certificates".into(),
        })?;
    if certs.is_empty() {
        return Err(SettingsError::CaBundle {
            path: shown,
            why: "holds no PEM certificate".into(),
        });
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn base() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("KC_BASE_URL", "https://kc.example:18443/"),
            ("KC_CLIENT_SECRET", "s1"),
            ("KC_OCP_CLIENT_SECRET", "s2"),
            ("OCP_API_URL", "https://api.example:6443"),
            ("OCP_OAUTH_CLIENT_SECRET", "s3"),
        ])
    }

    fn load(map: &HashMap<&'static str, &'static str>) -> Result<Settings, SettingsError> {
        Settings::from_lookup(|k| map.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn defaults() {
        let s = load(&base()).unwrap();
        assert_eq!(s.kc_base_url, "https://kc.example:18443");
        assert_eq!(s.kc_realm, "demo");
        assert_eq!(s.kc_client_id, "third-party-app");
        assert_eq!(s.kc_ocp_client_id, "ocp-oauth");
        assert_eq!(s.ocp_oauth_client_id, "third-party-demo");
        assert_eq!(s.ocp_idp_name, "keycloak");
        assert_eq!(s.app_external_url, "http://localhost:8080");
        assert!(s.tls_verify);
        assert!(s.session_key_generated);
        assert_eq!(s.port, 8080);
        assert!(s.ocp_oauth_url.is_none());
    }

    #[test]
    fn each_required_variable_is_named() {
        for name in [
            "KC_BASE_URL",
            "KC_CLIENT_SECRET",
            "KC_OCP_CLIENT_SECRET",
            "OCP_API_URL",
            "OCP_OAUTH_CLIENT_SECRET",
        ] {
            let mut map = base();
            map.remove(name);
            let err = load(&map).unwrap_err();
            assert_eq!(err, SettingsError::Missing(name));
            assert!(err.to_string().contains(name));
        }
    }

    #[test]
    fn invalid_values_are_named_without_secrets() {
        let mut map = base();
        map.insert("PORT", "eighty");
        assert!(load(&map).unwrap_err().to_string().contains("PORT"));
        let mut map = base();
        map.insert("TLS_VERIFY", "maybe");
        assert!(load(&map).unwrap_err().to_string().contains("TLS_VERIFY"));
        let mut map = base();
        map.insert("FLASK_SECRET_KEY", "tiny-key");
        let err = load(&map).unwrap_err().to_string();
        assert!(err.contains("FLASK_SECRET_KEY") && !err.contains("tiny-key"));
        let mut map = base();
        map.insert("CA_BUNDLE", "/nonexistent/ca.pem");
        assert!(load(&map).unwrap_err().to_string().contains("CA_BUNDLE"));
    }

    #[test]
    fn debug_hides_secrets() {
        let s = load(&base()).unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("s1") && !shown.contains("s2") && !shown.contains("s3"));
    }
}
