//! Finding and connecting to a container engine.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use bollard::{ClientVersion, Docker};

/// Podman 4.x serves the Docker API up to 1.41; Docker accepts it too.
const API_VERSION: &ClientVersion = &ClientVersion {
    major_version: 1,
    minor_version: 41,
};
const REQUEST_TIMEOUT_SECS: u64 = 600;

#[derive(Clone)]
pub struct Engine {
    pub docker: Docker,
    /// Where it was reached, e.g. unix:///run/podman/podman.sock.
    pub endpoint: String,
}

impl Engine {
    /// Tries CONTAINER_HOST or DOCKER_HOST when set (and only them: an explicit choice must
    /// not fall back to another engine), else the usual Podman and Docker sockets.
    pub async fn connect() -> Result<Engine> {
        let mut tried = Vec::new();
        for candidate in candidates() {
            match try_connect(&candidate).await {
                Ok(docker) => {
                    return Ok(Engine {
                        docker,
                        endpoint: candidate,
                    });
                }
                Err(reason) => tried.push(format!("  {candidate}: {reason}")),
            }
        }
        bail!(
            "no container engine answered. Tried:\n{}\n\
             Start Podman's API service, e.g. `systemctl --user enable --now podman.socket` \
             or, as root, `podman system service --time=0 unix:///run/podman/podman.sock &`, \
             or point CONTAINER_HOST/DOCKER_HOST at a running engine",
            tried.join("\n")
        )
    }
}

fn candidates() -> Vec<String> {
    let mut list = Vec::new();
    for var in ["CONTAINER_HOST", "DOCKER_HOST"] {
        if let Ok(value) = std::env::var(var)
            && !value.is_empty()
        {
            list.push(value);
        }
    }
    if !list.is_empty() {
        return list;
    }
    list.push("unix:///run/podman/podman.sock".into());
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") {
        let path = PathBuf::from(runtime).join("podman/podman.sock");
        list.push(format!("unix://{}", path.display()));
    }
    list.push("unix:///var/run/docker.sock".into());
    list.dedup();
    list
}

async fn try_connect(endpoint: &str) -> std::result::Result<Docker, String> {
    let docker = if let Some(path) = endpoint.strip_prefix("unix://") {
        if !std::path::Path::new(path).exists() {
            return Err("no such socket".into());
        }
        Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, API_VERSION)
    } else if endpoint.starts_with("tcp://") || endpoint.starts_with("http://") {
        Docker::connect_with_http(endpoint, REQUEST_TIMEOUT_SECS, API_VERSION)
    } else {
        return Err("unsupported address (use unix:// or tcp://)".into());
    }
    .map_err(|err| err.to_string())?;
    match tokio::time::timeout(Duration::from_secs(3), docker.ping()).await {
        Ok(Ok(_)) => Ok(docker),
        Ok(Err(err)) => Err(format!("does not answer: {err}")),
        Err(_) => Err("no answer within 3 s".into()),
    }
}
