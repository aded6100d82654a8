//! The parts of the chain `status` shows, one row each, and which step makes each part.

use serde::Serialize;

use crate::reconcile::Kind;
use crate::steps::Step;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Certificates,
    KeycloakContainer,
    KeycloakRealm,
    KeycloakClients,
    KeycloakUsers,
    IdentityProvider,
    OAuthClient,
    ProjectsAndBindings,
    DemoApp,
    TokenExchange,
}

impl Part {
    /// The rows read from the steps' plans, in the order they are shown.
    pub const FROM_PLANS: [Part; 9] = [
        Part::Certificates,
        Part::KeycloakContainer,
        Part::KeycloakRealm,
        Part::KeycloakClients,
        Part::KeycloakUsers,
        Part::IdentityProvider,
        Part::OAuthClient,
        Part::ProjectsAndBindings,
        Part::DemoApp,
    ];

    /// The row's name in the table and in JSON.
    pub fn label(self) -> &'static str {
        match self {
            Part::Certificates => "certificates",
            Part::KeycloakContainer => "Keycloak container",
            Part::KeycloakRealm => "Keycloak realm",
            Part::KeycloakClients => "Keycloak clients",
            Part::KeycloakUsers => "Keycloak users",
            Part::IdentityProvider => "OpenShift identity provider",
            Part::OAuthClient => "OAuthClient",
            Part::ProjectsAndBindings => "projects and bindings",
            Part::DemoApp => "demo app",
            Part::TokenExchange => "token exchange (deep)",
        }
    }

    /// The step that makes this part.
    pub fn step(self) -> Step {
        match self {
            Part::Certificates | Part::KeycloakContainer => Step::One,
            Part::KeycloakRealm | Part::KeycloakClients | Part::KeycloakUsers => Step::Two,
            Part::IdentityProvider | Part::OAuthClient | Part::TokenExchange => Step::Three,
            Part::DemoApp => Step::Four,
            Part::ProjectsAndBindings => Step::Five,
        }
    }

    /// The kinds of its step's report that this part covers.
    pub fn kinds(self) -> &'static [Kind] {
        match self {
            Part::Certificates => &[Kind::Certificate],
            Part::KeycloakContainer => &[Kind::Volume, Kind::Container],
            Part::KeycloakRealm => &[Kind::Realm],
            Part::KeycloakClients => &[Kind::Client],
            Part::KeycloakUsers => &[Kind::User],
            Part::IdentityProvider => &[Kind::IdentityProvider, Kind::Secret, Kind::ConfigMap],
            Part::OAuthClient => &[Kind::OAuthClient],
            Part::ProjectsAndBindings => &[Kind::Project, Kind::RoleBinding],
            Part::DemoApp => &[Kind::Image, Kind::Container],
            Part::TokenExchange => &[],
        }
    }
}

impl Serialize for Part {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}
