//! Configuration: the file model, its layering, validation, and the URLs derived from it.

mod bastion;
mod load;
mod model;
mod validate;

use std::net::IpAddr;
use std::path::Path;

use anyhow::{Result, bail};

pub use load::{env_name, leaf_paths};
pub use model::{
    App, Bastion, Config, Keycloak, KeycloakMode, OpenShift, ProjectGrant, Role, Sandbox, User,
};

/// What the CLI hands over to build a configuration.
pub struct Inputs<'a> {
    pub file: Option<&'a Path>,
    pub flags: &'a [String],
    pub env: Vec<(String, String)>,
}

/// A loaded configuration plus warnings worth showing (unknown BRIDGECTL_* variables).
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

pub fn load(inputs: Inputs<'_>) -> Result<Loaded> {
    let mut layers = load::Layers::new()?;
    layers.add_file(inputs.file)?;
    let unknown_env = layers.add_env(inputs.env);
    layers.add_flags(inputs.flags)?;

    let mut config: Config =
        serde_path_to_error::deserialize(layers.tree.clone()).map_err(|err| {
            let (path, key) = error_path(&layers.tree, err.path());
            let origin = layers.origin_of(&path);
            match key {
                Some(key) => anyhow::anyhow!(
                    "invalid configuration in {origin}: {path}: unknown field `{key}`, field names are text"
                ),
                // serde names an empty top-level key as "unknown field ``": say where it is.
                None if path.is_empty() && err.inner().to_string().starts_with("unknown field ``") => {
                    anyhow::anyhow!(
                        "invalid configuration in {origin}: an empty key at the top level: {}",
                        err.inner()
                    )
                }
                None if path.is_empty() => {
                    anyhow::anyhow!("invalid configuration in {origin}: {}", err.inner())
                }
                None => anyhow::anyhow!("invalid configuration in {origin}: {path}: {}", err.inner()),
            }
        })?;

    let problems = validate::validate(&config);
    if !problems.is_empty() {
        let lines: Vec<String> = problems
            .iter()
            .map(|(path, message)| format!("  {path}: {message} ({})", layers.origin_of(path)))
            .collect();
        bail!("invalid configuration:\n{}", lines.join("\n"));
    }

    if config.bastion.address.is_none() {
        config.bastion.address = Some(bastion::detect_address()?);
    }
    if config.bastion.hostname.is_none() {
        config.bastion.hostname = Some(bastion::detect_hostname());
    }
    let warnings = unknown_env
        .into_iter()
        .map(|name| format!("ignoring {name}: it names no configuration field"))
        .collect();
    Ok(Loaded { config, warnings })
}

/// The dotted path of a deserialization error (`users[1].projects[0].role`). serde cannot
/// name a key that is not text (`1: x`, `[a]: x`) and marks it `?`; that key is looked up
/// in the tree and written in its place, and returned too, so the message can say what
/// is wrong with it.
fn error_path(
    tree: &serde_yaml::Value,
    path: &serde_path_to_error::Path,
) -> (String, Option<String>) {
    use serde_path_to_error::Segment;
    let mut node = Some(tree);
    let mut out = String::new();
    let push_key = |out: &mut String, key: &str| {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
    };
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                out.push_str(&format!("[{index}]"));
                node = node.and_then(|n| n.get(index));
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                push_key(&mut out, key);
                node = node.and_then(|n| n.get(key.as_str()));
            }
            Segment::Unknown => {
                let key = node
                    .and_then(serde_yaml::Value::as_mapping)
                    .and_then(|map| map.keys().find(|k| !k.is_string()))
                    .map(load::compact)
                    .unwrap_or_else(|| "?".to_string());
                push_key(&mut out, &key);
                return (out, Some(key));
            }
        }
    }
    (out, None)
}

impl Config {
    /// The bastion address; always set once loaded.
    pub fn bastion_ip(&self) -> IpAddr {
        self.bastion.address.unwrap_or(IpAddr::from([127, 0, 0, 1]))
    }

    pub fn bastion_hostname(&self) -> &str {
        self.bastion.hostname.as_deref().unwrap_or("localhost")
    }

    /// `https://<bastion>:<port>`, the Keycloak URL users and OpenShift see; also its hostname setting.
    pub fn keycloak_url(&self) -> String {
        format!(
            "https://{}:{}",
            host_for_url(self.bastion_ip()),
            self.keycloak.https_port
        )
    }

    /// The realm's issuer, as OpenShift's identity provider must name it.
    pub fn issuer_url(&self) -> String {
        format!("{}/realms/{}", self.keycloak_url(), self.keycloak.realm)
    }

    /// The demo app's URL in a user's browser.
    pub fn app_url(&self) -> String {
        format!(
            "http://{}:{}",
            host_for_url(self.bastion_ip()),
            self.app.port
        )
    }

    /// The demo app as this host reaches it (also allowed as a redirect target, for a
    /// browser on the bastion itself).
    pub fn app_local_url(&self) -> String {
        format!("http://localhost:{}", self.app.port)
    }

    /// The app's callback for `provider` (`keycloak`, `ocp`) at both of its addresses:
    /// what the Keycloak client and the OAuthClient allow as redirect URIs.
    pub fn app_callback_uris(&self, provider: &str) -> [String; 2] {
        [
            format!("{}/callback/{provider}", self.app_url()),
            format!("{}/callback/{provider}", self.app_local_url()),
        ]
    }

    /// Where Keycloak may send a user back after logout, `##`-joined as Keycloak keeps it.
    pub fn app_post_logout_redirect_uris(&self) -> String {
        format!("{}/*##{}/*", self.app_url(), self.app_local_url())
    }

    /// OpenShift's callback for our identity provider: the ocp client's redirect URI.
    pub fn oauth_callback_url(&self, oauth_url: &str) -> String {
        format!(
            "{}/oauth2callback/{}",
            oauth_url.trim_end_matches('/'),
            self.openshift.idp_name
        )
    }

    /// Names the server certificate must carry, in a stable order.
    pub fn server_cert_names(&self) -> Vec<String> {
        let mut names = vec![
            self.bastion_ip().to_string(),
            self.bastion_hostname().to_string(),
            "localhost".to_string(),
            "127.0.0.1".to_string(),
        ];
        names.extend(self.bastion.extra_sans.iter().cloned());
        let mut seen = std::collections::HashSet::new();
        names.retain(|name| seen.insert(name.clone()));
        names
    }
}

fn host_for_url(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod property_tests;

impl Config {
    /// Where bridgectl itself reaches Keycloak's published port on this host.
    pub fn keycloak_local_url(&self) -> String {
        let host = if self.keycloak.bind_address.is_unspecified() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            self.keycloak.bind_address
        };
        format!(
            "https://{}:{}",
            host_for_url(host),
            self.keycloak.https_port
        )
    }
}
