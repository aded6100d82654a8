//! What the demo app (and anyone playing its user) must reach: the cluster's API and
//! OAuth server URLs, and the CAs that make every hop verifiable.

use anyhow::Result;

use crate::context::Context;
use crate::openshift::oauth_server;
use crate::public_roots;

/// Where the app finds the servers, as seen from inside its container.
pub struct Upstreams {
    pub ocp_api_url: String,
    pub ocp_oauth_url: String,
    /// PEM certificates the app trusts: our CA, the cluster's API and ingress CAs.
    pub ca_bundle: String,
}

/// The cluster's URLs and the CAs the app must trust to reach Keycloak and the cluster.
pub async fn resolve(ctx: &Context, our_ca: String) -> Result<Upstreams> {
    let cluster = ctx.cluster().await?;
    let ocp_oauth_url = ctx.oauth_url().await?;
    let mut bundle = vec![our_ca];
    bundle.extend(cluster.ca_pems.iter().cloned());
    match oauth_server::ingress_ca(cluster).await {
        Some(ingress) => bundle.push(ingress),
        None => ctx.ui.detail(
            "no openshift-config-managed/default-ingress-cert to read; the app trusts the \
             OAuth server through the kubeconfig's CA",
        ),
    }
    if cluster.ca_pems.is_empty() {
        // As `oc` does: a kubeconfig without a CA means the server's certificate is
        // publicly trusted. The app's image may have no trust store, so the roots travel
        // in its bundle (and verify's), beside the CAs bridgectl knows.
        let roots = public_roots::pems();
        if roots.is_empty() {
            ctx.ui.warn(format!(
                "the kubeconfig names no CA for {} and this host offers no public roots \
                 (SSL_CERT_FILE, SSL_CERT_DIR, the system store): the demo app's calls to the \
                 cluster will fail; add the cluster's CA to the kubeconfig",
                cluster.server
            ));
        } else {
            ctx.ui.detail(format!(
                "the kubeconfig names no CA for {}: the demo app and verify also trust this \
                 host's {} public roots",
                cluster.server,
                roots.len()
            ));
        }
        bundle.extend(roots);
    }
    Ok(Upstreams {
        ocp_api_url: cluster.server.trim_end_matches('/').to_string(),
        ocp_oauth_url,
        ca_bundle: bundle
            .iter()
            .map(|pem| pem.trim().to_string() + "\n")
            .collect(),
    })
}
