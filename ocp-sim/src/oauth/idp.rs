//! Identity providers as configured in `oauths.config.openshift.io/cluster`, read at
//! request time together with the Secret and ConfigMap they reference in
//! `openshift-config`.

use base64::Engine;
use serde_json::Value;

use crate::apiserver::resources::{CONFIGMAPS, OAUTHS, SECRETS};
use crate::apiserver::store::Store;
use crate::meta;

pub const CONFIG_NAMESPACE: &str = "openshift-config";

pub struct Provider {
    pub name: String,
    pub kind: String,
    pub mapping_method: String,
    raw: Value,
}

pub struct OpenIdConfig {
    pub client_id: String,
    pub client_secret: String,
    /// PEM bundle from the `ca` ConfigMap; `None` when no CA is configured.
    pub ca_pem: Option<String>,
    pub issuer: String,
    pub extra_scopes: Vec<String>,
    pub extra_params: Vec<(String, String)>,
    pub preferred_username_claims: Vec<String>,
    pub name_claims: Vec<String>,
    pub email_claims: Vec<String>,
}

/// All configured providers, in order.
pub fn all(store: &Store) -> Vec<Provider> {
    let Some(oauth) = store.get(&OAUTHS, "", "cluster") else {
        return Vec::new();
    };
    oauth
        .pointer("/spec/identityProviders")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|p| Provider {
                    name: p
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    kind: p
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    mapping_method: p
                        .get("mappingMethod")
                        .and_then(Value::as_str)
                        .unwrap_or("claim")
                        .to_string(),
                    raw: p.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn find(store: &Store, name: &str) -> Option<Provider> {
    all(store).into_iter().find(|p| p.name == name)
}

impl Provider {
    /// The OpenID settings with their secret and CA resolved; `Err` says what is missing.
    pub fn open_id(&self, store: &Store) -> Result<OpenIdConfig, String> {
        let cfg = self
            .raw
            .get("openID")
            .ok_or_else(|| format!("identity provider {:?} has no openID settings", self.name))?;
        let text = |p: &str| {
            cfg.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let secret_name = text("/clientSecret/name");
        let secret = store
            .get(&SECRETS, CONFIG_NAMESPACE, &secret_name)
            .ok_or_else(|| format!("secret {CONFIG_NAMESPACE}/{secret_name} not found"))?;
        let encoded = secret
            .pointer("/data/clientSecret")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                format!("secret {CONFIG_NAMESPACE}/{secret_name} has no key clientSecret")
            })?;
        let client_secret = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                format!("secret {CONFIG_NAMESPACE}/{secret_name} key clientSecret is not text")
            })?;
        let ca_name = text("/ca/name");
        let ca_pem = if ca_name.is_empty() {
            None
        } else {
            let cm = store
                .get(&CONFIGMAPS, CONFIG_NAMESPACE, &ca_name)
                .ok_or_else(|| format!("configmap {CONFIG_NAMESPACE}/{ca_name} not found"))?;
            let pem = cm
                .pointer("/data/ca.crt")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!("configmap {CONFIG_NAMESPACE}/{ca_name} has no key ca.crt")
                })?;
            Some(pem.to_string())
        };
        let extra_params = cfg
            .get("extraAuthorizeParameters")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(OpenIdConfig {
            client_id: text("/clientID"),
            client_secret: client_secret.trim_end_matches(['\n', '\r']).to_string(),
            ca_pem,
            issuer: text("/issuer"),
            extra_scopes: meta::strings(cfg.get("extraScopes")),
            extra_params,
            preferred_username_claims: meta::strings(cfg.pointer("/claims/preferredUsername")),
            name_claims: meta::strings(cfg.pointer("/claims/name")),
            email_claims: meta::strings(cfg.pointer("/claims/email")),
        })
    }
}
