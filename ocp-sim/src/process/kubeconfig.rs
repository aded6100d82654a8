//! The admin kubeconfig the simulator hands out: cluster, user and context all point
//! at this simulator and trust only its CA.

use std::path::Path;

use anyhow::Result;
use base64::Engine;
use serde_json::json;

use crate::process::datadir;

pub const NAME: &str = "ocp-sim";
pub const USER: &str = "kube:admin/ocp-sim";

pub fn render(api_url: &str, ca_pem: &str, token: &str) -> Result<String> {
    let ca_data = base64::engine::general_purpose::STANDARD.encode(ca_pem.as_bytes());
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{
            "name": NAME,
            "cluster": {"server": api_url, "certificate-authority-data": ca_data},
        }],
        "users": [{"name": USER, "user": {"token": token}}],
        "contexts": [{
            "name": NAME,
            "context": {"cluster": NAME, "user": USER, "namespace": "default"},
        }],
        "current-context": NAME,
        "preferences": {},
    });
    Ok(serde_yaml::to_string(&config)?)
}

/// Writes the kubeconfig with mode 0600 (it holds the admin token).
pub fn write(path: &Path, api_url: &str, ca_pem: &str, token: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    datadir::write_private(path, render(api_url, ca_pem, token)?.as_bytes())?;
    Ok(())
}
