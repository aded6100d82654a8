//! Whether this cluster's OAuth configuration is its own to change. On a hosted control
//! plane (ROSA with HCP: `infrastructures/cluster` status.controlPlaneTopology `External`)
//! OAuth lives on the HostedCluster and an edit of `oauths/cluster` is reconciled away;
//! identity providers are added with the `rosa` CLI instead. step3 stops before its first
//! write and prints that command with the values it would have written.

use std::path::Path;

use anyhow::{Result, bail};
use serde_json::Value;

use super::cluster::Cluster;

/// Refuses a hosted control plane; any other topology (or a cluster without
/// `config.openshift.io`) is fine.
pub async fn refuse_external_oauth(
    cluster: &Cluster,
    identity_provider: &Value,
    ca_file: &Path,
) -> Result<()> {
    let found = cluster.config_object("Infrastructure", "cluster").await?;
    let topology = found
        .as_ref()
        .and_then(|infra| infra.data["status"]["controlPlaneTopology"].as_str());
    if topology != Some("External") {
        return Ok(());
    }
    bail!(
        "this cluster's control plane is hosted (infrastructures/cluster: controlPlaneTopology \
         External, as on ROSA with hosted control planes): its OAuth configuration lives on the \
         HostedCluster, and an edit of oauths/cluster here would be undone. step3 wrote \
         nothing. Add the identity provider with the rosa CLI instead (the client secret is \
         the one `bridgectl credentials` lists for the Keycloak client):\n\n  {}\n",
        rosa_command(identity_provider, ca_file)
    )
}

/// `rosa create idp` with the values of bridgectl's identity provider entry.
fn rosa_command(idp: &Value, ca_file: &Path) -> String {
    let text = |pointer: &str| idp.pointer(pointer).and_then(Value::as_str).unwrap_or("");
    let claims = |name: &str| {
        idp.pointer(&format!("/openID/claims/{name}"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default()
    };
    format!(
        "rosa create idp --cluster <your cluster> --type openid --name {name} \\\n    \
         --client-id {client} --client-secret <the secret of Keycloak client {client}> \\\n    \
         --issuer-url {issuer} --ca {ca} \\\n    \
         --username-claims {username} --name-claims {names} --email-claims {emails} \
         --mapping-method {mapping}",
        name = text("/name"),
        client = text("/openID/clientID"),
        issuer = text("/openID/issuer"),
        ca = ca_file.display(),
        username = claims("preferredUsername"),
        names = claims("name"),
        emails = claims("email"),
        mapping = text("/mappingMethod"),
    )
}
