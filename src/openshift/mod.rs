//! The OpenShift side: where its OAuth server is, and (later) the objects of step3 and step5.

use anyhow::{Result, bail};

use crate::config::Config;

/// The OAuth server URL: from the configuration, else from the cluster.
pub async fn oauth_url(config: &Config) -> Result<String> {
    match &config.openshift.oauth_url {
        Some(url) => Ok(url.trim_end_matches('/').to_string()),
        None => bail!(
            "the OpenShift OAuth URL is needed for the ocp client's redirect URI: \
             set openshift.oauth_url (e.g. https://oauth-openshift.apps.<cluster-domain>)"
        ),
    }
}
