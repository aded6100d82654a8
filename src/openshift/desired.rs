//! The desired OpenShift objects, rendered from manifests/ with the configuration and
//! the state directory: step3's sign-in objects and step5's projects and bindings.

use std::collections::BTreeSet;

use anyhow::Result;
use base64::Engine;
use kube::api::DynamicObject;
use serde_json::{Value, json};

use super::objects::from_manifest;
use crate::config::Config;
use crate::state::{StateDir, names};
use crate::templates::{Templates, Vars};

const SECRET_NAME: &str = "keycloak-client-secret";
const CA_CONFIGMAP_NAME: &str = "keycloak-ca";

/// step3: what OpenShift needs to send users to Keycloak and let the demo app in.
pub struct SignIn {
    /// The ocp client's secret and our CA, in openshift-config.
    pub secret_and_ca: [DynamicObject; 2],
    /// bridgectl's entry in oauths/cluster, and the object to create when there is none.
    pub identity_provider: Value,
    pub empty_oauth: Value,
    pub oauth_client: DynamicObject,
}

pub fn sign_in(config: &Config, state: &StateDir, ca_pem: &str) -> Result<SignIn> {
    let kc = &config.keycloak;
    let ocp_secret = state.secret(&names::client_secret(&kc.ocp_client_id))?;
    let oauth_client_secret = state.secret(&names::oauth_client_secret(
        &config.openshift.oauth_client_name,
    ))?;
    let vars: Vars = [
        ("secret_name", json!(SECRET_NAME)),
        ("ca_configmap_name", json!(CA_CONFIGMAP_NAME)),
        (
            "ocp_client_secret_base64",
            json!(base64::engine::general_purpose::STANDARD.encode(ocp_secret.expose())),
        ),
        ("ca_pem", json!(ca_pem)),
        ("idp_name", json!(config.openshift.idp_name)),
        ("ocp_client_id", json!(kc.ocp_client_id)),
        ("issuer_url", json!(config.issuer_url())),
        (
            "oauth_client_name",
            json!(config.openshift.oauth_client_name),
        ),
        ("oauth_client_secret", json!(oauth_client_secret.expose())),
        (
            "app_ocp_redirect_uris",
            json!(config.app_callback_uris("ocp")),
        ),
    ]
    .into();
    let templates = Templates::new(config.templates_dir.as_deref());
    let render = |name: &str| templates.render(&format!("manifests/{name}"), &vars);
    Ok(SignIn {
        secret_and_ca: [
            from_manifest(render("keycloak-client-secret.yaml")?)?,
            from_manifest(render("keycloak-ca-configmap.yaml")?)?,
        ],
        identity_provider: render("identity-provider.yaml")?,
        empty_oauth: render("oauth-cluster.yaml")?,
        oauth_client: from_manifest(render("oauthclient.yaml")?)?,
    })
}

/// step5: the projects of the RBAC matrix and one binding per user, role and project.
pub struct Rbac {
    /// Rendered ProjectRequests (or Namespaces on plain Kubernetes), one per project.
    pub project_requests: Vec<Value>,
    pub bindings: Vec<DynamicObject>,
}

/// `projects_served`: whether the cluster has project.openshift.io (else Namespaces).
pub fn rbac(config: &Config, projects_served: bool) -> Result<Rbac> {
    let templates = Templates::new(config.templates_dir.as_deref());
    let request_template = if projects_served {
        "manifests/project-request.yaml"
    } else {
        "manifests/namespace.yaml"
    };
    let projects: BTreeSet<&str> = config
        .users
        .iter()
        .flat_map(|u| u.projects.iter().map(|p| p.name.as_str()))
        .collect();
    let project_requests = projects
        .iter()
        .map(|project| {
            let vars: Vars = [("project", json!(project))].into();
            templates.render(request_template, &vars)
        })
        .collect::<Result<_>>()?;
    let mut bindings = Vec::new();
    for user in &config.users {
        for grant in &user.projects {
            let vars: Vars = [
                ("project", json!(grant.name)),
                ("role", json!(grant.role.as_str())),
                ("username", json!(user.username)),
            ]
            .into();
            bindings.push(from_manifest(
                templates.render("manifests/rolebinding.yaml", &vars)?,
            )?);
        }
    }
    Ok(Rbac {
        project_requests,
        bindings,
    })
}
