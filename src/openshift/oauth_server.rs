//! Where the cluster's OAuth server is: the API server publishes it.

use anyhow::{Result, anyhow};
use serde_json::Value;

use super::cluster::Cluster;

/// The `issuer` of `<api>/.well-known/oauth-authorization-server`.
pub async fn discover(cluster: &Cluster) -> Result<String> {
    let text = cluster
        .call("OAuth server discovery", || async {
            let request = http::Request::get("/.well-known/oauth-authorization-server")
                .body(Vec::new())
                .map_err(kube::Error::HttpError)?;
            cluster.client.request_text(request).await
        })
        .await?;
    let doc: Value = serde_json::from_str(&text).map_err(|err| {
        anyhow!(
            "OAuth server discovery at {}: not JSON: {err}",
            cluster.server
        )
    })?;
    doc["issuer"]
        .as_str()
        .map(|s| s.trim_end_matches('/').to_string())
        .ok_or_else(|| {
            anyhow!(
                "OAuth server discovery at {}: no issuer; set openshift.oauth_url",
                cluster.server
            )
        })
}

/// The CA bundle of the cluster's default ingress certificate, which the OAuth server's
/// route presents on a real cluster; `None` when the cluster does not publish it (plain
/// Kubernetes, the simulator) or the login may not read it.
pub async fn ingress_ca(cluster: &Cluster) -> Option<String> {
    use k8s_openapi::api::core::v1::ConfigMap;
    let api: kube::Api<ConfigMap> =
        kube::Api::namespaced(cluster.client.clone(), "openshift-config-managed");
    let found = api.get_opt("default-ingress-cert").await.ok()??;
    found.data?.remove("ca-bundle.crt")
}
