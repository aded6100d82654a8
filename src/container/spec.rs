//! What a container should look like, and the labels that let bridgectl recognise its own.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::volume::VolumeMount;
use crate::state::Secret;

/// Every container bridgectl creates carries this label; it touches no other.
pub const MANAGED_LABEL: &str = "io.bridgectl.managed";
pub const HASH_LABEL: &str = "io.bridgectl.spec-hash";
/// A readable summary of the spec (no secret values), to say what changed.
pub const SUMMARY_LABEL: &str = "io.bridgectl.spec";

#[derive(Debug, Clone, Serialize)]
pub struct PortBinding {
    pub host_ip: IpAddr,
    pub host_port: u16,
    pub container_port: u16,
}

/// A file copied into the container before it starts (keys never touch a bind mount).
#[derive(Debug, Clone)]
pub struct FileInject {
    pub path: String,
    pub contents: Vec<u8>,
    pub mode: u32,
    pub uid: u64,
}

#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub cmd: Vec<String>,
    pub env: Vec<(String, String)>,
    pub secret_env: Vec<(String, Secret)>,
    pub ports: Vec<PortBinding>,
    pub files: Vec<FileInject>,
    /// Named volumes (bridgectl's), created before the container and kept when it is
    /// recreated.
    pub volumes: Vec<VolumeMount>,
    pub host_network: bool,
    /// `false` for images bridgectl builds itself: never pulled from a registry.
    pub pull_image: bool,
    /// The part of the bridgectl configuration this container comes from, for hints.
    pub config_field: &'static str,
}

#[derive(Serialize)]
struct Summary<'a> {
    image: &'a str,
    cmd: &'a [String],
    env: BTreeMap<&'a str, &'a str>,
    secret_env: Vec<&'a str>,
    ports: &'a [PortBinding],
    files: Vec<&'a str>,
    volumes: &'a [VolumeMount],
    host_network: bool,
    /// The engine's restart policy: `always`, so that its restart service brings the
    /// container back after a reboot.
    restart: &'a str,
}

/// Containers come back after a reboot through the engine's restart service
/// (podman-restart.service starts exactly the containers with this policy).
pub const RESTART_POLICY: &str = "always";

impl ContainerSpec {
    /// JSON of everything but secret values and file contents.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::to_value(Summary {
            image: &self.image,
            cmd: &self.cmd,
            env: self
                .env
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            secret_env: self.secret_env.iter().map(|(k, _)| k.as_str()).collect(),
            ports: &self.ports,
            files: self.files.iter().map(|f| f.path.as_str()).collect(),
            volumes: &self.volumes,
            host_network: self.host_network,
            restart: RESTART_POLICY,
        })
        .unwrap_or_default()
    }

    /// Changes whenever anything about the container would differ, secrets and files included.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.summary().to_string());
        for (name, value) in &self.secret_env {
            hasher.update(name);
            hasher.update([0]);
            hasher.update(value.expose());
        }
        for file in &self.files {
            hasher.update(&file.path);
            hasher.update(file.mode.to_le_bytes());
            hasher.update(file.uid.to_le_bytes());
            hasher.update(&file.contents);
        }
        hex::encode(hasher.finalize())
    }

    pub fn labels(&self) -> std::collections::HashMap<String, String> {
        [
            (MANAGED_LABEL.to_string(), "true".to_string()),
            (HASH_LABEL.to_string(), self.hash()),
            (SUMMARY_LABEL.to_string(), self.summary().to_string()),
        ]
        .into()
    }
}
