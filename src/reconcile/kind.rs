//! The kinds of object bridgectl reconciles. Typed everywhere in the code; the lowercase
//! words below appear only where a report is rendered or serialised.

use std::fmt;

use anyhow::{Result, bail};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    // Made on this host (step1, step4, the sandbox, clean --purge).
    Certificate,
    Container,
    Image,
    Volume,
    Process,
    State,
    // Keycloak (step2).
    Realm,
    Client,
    User,
    // The cluster (step3, step5, clean).
    Secret,
    ConfigMap,
    IdentityProvider,
    OAuthClient,
    Project,
    RoleBinding,
    Identity,
}

impl Kind {
    /// The word in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Certificate => "certificate",
            Kind::Container => "container",
            Kind::Image => "image",
            Kind::Volume => "volume",
            Kind::Process => "process",
            Kind::State => "state",
            Kind::Realm => "realm",
            Kind::Client => "client",
            Kind::User => "user",
            Kind::Secret => "secret",
            Kind::ConfigMap => "configmap",
            Kind::IdentityProvider => "identityprovider",
            Kind::OAuthClient => "oauthclient",
            Kind::Project => "project",
            Kind::RoleBinding => "rolebinding",
            Kind::Identity => "identity",
        }
    }

    /// The kind a Kubernetes object of API kind `api_kind` is reported as. A Namespace is
    /// reported as the project it stands in for.
    pub fn of_cluster_object(api_kind: &str) -> Result<Kind> {
        Ok(match api_kind {
            "Secret" => Kind::Secret,
            "ConfigMap" => Kind::ConfigMap,
            "OAuthClient" => Kind::OAuthClient,
            "RoleBinding" => Kind::RoleBinding,
            "Namespace" | "Project" | "ProjectRequest" => Kind::Project,
            "Identity" => Kind::Identity,
            "User" => Kind::User,
            other => bail!(
                "bridgectl does not manage objects of kind {other:?}; check the manifest templates"
            ),
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn serialises_as_the_word_reports_print() {
        for kind in [Kind::IdentityProvider, Kind::OAuthClient, Kind::ConfigMap] {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        assert_eq!(Kind::of_cluster_object("Namespace").unwrap(), Kind::Project);
        assert!(Kind::of_cluster_object("Pod").is_err());
    }
}
