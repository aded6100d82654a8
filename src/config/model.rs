//! The configuration as written in bridgectl.yaml. Defaults reproduce the seed document.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub bastion: Bastion,
    pub keycloak: Keycloak,
    pub openshift: OpenShift,
    pub app: App,
    pub users: Vec<User>,
    /// A directory with edited copies of `keycloak-realm/` (and later `manifests/`);
    /// the built-in templates are used when absent.
    pub templates_dir: Option<PathBuf>,
    pub sandbox: Sandbox,
}

/// The local OpenShift simulator that stands in for a cluster (`bridgectl sandbox up`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Sandbox {
    /// A separately built ocp-sim (a developer option); the simulator bridgectl carries
    /// when absent.
    pub binary: Option<PathBuf>,
    /// Loopback ports of the simulated API server and OAuth server.
    pub api_port: u16,
    pub oauth_port: u16,
    /// Model the authentication operator's rollout: a change to the identity providers is
    /// served this many seconds after it is written (and only once its issuer answers).
    /// None: at once.
    pub oauth_rollout_secs: Option<f64>,
    /// Seconds a deleted project stays Terminating (0: gone at once).
    pub namespace_termination_secs: f64,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox {
            binary: None,
            api_port: 6443,
            oauth_port: 6444,
            oauth_rollout_secs: None,
            namespace_termination_secs: 0.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Bastion {
    /// Address users and OpenShift reach the bastion on; detected when absent.
    pub address: Option<IpAddr>,
    /// Host name put in the server certificate; the system host name when absent.
    pub hostname: Option<String>,
    /// More DNS names or IP addresses for the server certificate.
    pub extra_sans: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Keycloak {
    pub image: String,
    /// How Keycloak starts: from an image in which its build already ran (`optimized`),
    /// or the document's `start-dev`, which repeats that build at every start.
    pub mode: KeycloakMode,
    pub container_name: String,
    pub https_port: u16,
    /// Host address the HTTPS port is published on.
    pub bind_address: IpAddr,
    pub admin_username: String,
    pub realm: String,
    /// Client used by the OpenShift OAuth server (the token-exchange target).
    pub ocp_client_id: String,
    /// Client used by the third-party app (signs users in, starts the exchange).
    pub app_client_id: String,
    pub access_token_lifespan_secs: u32,
    /// How long step1 waits for Keycloak to answer before giving up.
    pub ready_timeout_secs: u64,
    /// Keycloak features turned on at start (`--features`); `token-exchange` is the
    /// legacy exchange the document asks for; the standard one is on by default.
    pub features: Vec<String>,
    /// Admin API requests in flight at once when reconciling many users.
    pub admin_concurrency: usize,
}

/// Keycloak's start, see `keycloak::server`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum KeycloakMode {
    /// `kc.sh build` once, into a derived image, then `start --optimized`.
    #[default]
    Optimized,
    /// `start-dev` on the configured image, as the document runs it.
    StartDev,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OpenShift {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    /// OAuth server URL; discovered from the cluster when absent.
    pub oauth_url: Option<String>,
    /// Name of the identity provider added to oauths/cluster.
    pub idp_name: String,
    /// Name of the OAuthClient the demo app uses.
    pub oauth_client_name: String,
    /// How long a step waits for the cluster to settle: the authentication operator's
    /// rollout of the identity provider, a project still terminating from an earlier
    /// delete (0: do not wait, fail with the reason).
    pub wait_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct App {
    /// Tag of the image step4 builds.
    pub image: String,
    /// Image the demo app is packaged onto; `scratch` (the default) needs no pull, as the
    /// app brings the libraries it needs.
    pub base_image: String,
    pub container_name: String,
    pub port: u16,
    /// Host address the app's port is published on.
    pub bind_address: IpAddr,
    /// A separately built demo-app binary (a developer option), run as it is on
    /// `base_image`; the app bridgectl carries when absent.
    pub binary: Option<PathBuf>,
    /// `false` turns off the app's TLS verification of Keycloak and OpenShift (PoC only).
    pub tls_verify: bool,
    /// How long step4 waits for the app's /health.
    pub ready_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Generated and kept in the state directory when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default)]
    pub projects: Vec<ProjectGrant>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProjectGrant {
    pub name: String,
    pub role: Role,
}

/// The cluster roles `oc adm policy add-role-to-user` hands out in the seed.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    View,
    Edit,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::View => "view",
            Role::Edit => "edit",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        match name.as_str() {
            "view" => Ok(Role::View),
            "edit" => Ok(Role::Edit),
            "admin" => Ok(Role::Admin),
            other => Err(serde::de::Error::custom(format!(
                "unknown role \"{other}\", expected view, edit or admin"
            ))),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bastion: Bastion::default(),
            keycloak: Keycloak::default(),
            openshift: OpenShift::default(),
            app: App::default(),
            users: seed_users(),
            templates_dir: None,
            sandbox: Sandbox::default(),
        }
    }
}

impl Default for Keycloak {
    fn default() -> Self {
        Keycloak {
            image: "quay.io/keycloak/keycloak:26.2".into(),
            mode: KeycloakMode::default(),
            container_name: "keycloak".into(),
            https_port: 18443,
            bind_address: IpAddr::from([0, 0, 0, 0]),
            admin_username: "admin".into(),
            realm: "demo".into(),
            ocp_client_id: "ocp-oauth".into(),
            app_client_id: "third-party-app".into(),
            access_token_lifespan_secs: 1800,
            ready_timeout_secs: 180,
            features: vec!["token-exchange".into()],
            admin_concurrency: 8,
        }
    }
}

impl Default for OpenShift {
    fn default() -> Self {
        OpenShift {
            kubeconfig: None,
            context: None,
            oauth_url: None,
            idp_name: "keycloak".into(),
            oauth_client_name: "third-party-demo".into(),
            wait_timeout_secs: 600,
        }
    }
}

impl Default for App {
    fn default() -> Self {
        App {
            image: "localhost/bridgectl/demo-app:latest".into(),
            base_image: "scratch".into(),
            container_name: "demo-app".into(),
            port: 9080,
            bind_address: IpAddr::from([0, 0, 0, 0]),
            binary: None,
            tls_verify: true,
            ready_timeout_secs: 30,
        }
    }
}

/// The three users and the RBAC matrix of the seed (section 4.6 and 5.3).
fn seed_users() -> Vec<User> {
    let user = |name: &str, first: &str, last: &str, grants: &[(&str, Role)]| User {
        username: name.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: format!("{name}@example.com"),
        password: None,
        projects: grants
            .iter()
            .map(|(project, role)| ProjectGrant {
                name: (*project).into(),
                role: *role,
            })
            .collect(),
    };
    vec![
        user(
            "user-a",
            "Alice",
            "Demo",
            &[("project-a", Role::View), ("project-c", Role::View)],
        ),
        user("user-b", "Bob", "Demo", &[("project-b", Role::Edit)]),
        user(
            "user-c",
            "Charlie",
            "Demo",
            &[
                ("project-c", Role::Admin),
                ("project-a", Role::View),
                ("project-b", Role::View),
            ],
        ),
    ]
}
