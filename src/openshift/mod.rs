//! The OpenShift side: reaching the cluster, the OAuth identity provider and OAuthClient
//! (step3), projects and role bindings (step5).

pub mod cleanup;
pub mod cluster;
pub mod identity_provider;
pub mod oauth_server;
pub mod objects;
pub mod projects;
pub mod rbac;
pub mod resources;

use anyhow::Result;

use crate::config::Config;

/// The OAuth server URL: from the configuration, else discovered from the cluster.
pub async fn oauth_url(config: &Config) -> Result<String> {
    if let Some(url) = &config.openshift.oauth_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let cluster = cluster::connect(config).await.map_err(|err| {
        err.context("the OpenShift OAuth URL is needed (set openshift.oauth_url, or make the cluster reachable)")
    })?;
    oauth_url_of(config, &cluster).await
}

/// The same, for a cluster already connected to.
pub async fn oauth_url_of(config: &Config, cluster: &cluster::Cluster) -> Result<String> {
    match &config.openshift.oauth_url {
        Some(url) => Ok(url.trim_end_matches('/').to_string()),
        None => oauth_server::discover(cluster).await,
    }
}
