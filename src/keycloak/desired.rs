//! The Keycloak objects the configuration asks for, rendered from `keycloak-realm/`.

use anyhow::Result;
use serde_json::{Value, json};

use crate::config::Config;
use crate::state::{Secret, StateDir, names};
use crate::templates::{Templates, Vars};

pub struct Desired {
    pub realm: Value,
    pub clients: Vec<Value>,
    pub users: Vec<DesiredUser>,
}

pub struct DesiredUser {
    pub username: String,
    pub rep: Value,
    pub password: Secret,
}

/// `oauth_url` is the OpenShift OAuth server; its callback is the ocp client's redirect URI.
pub fn build(config: &Config, state: &StateDir, oauth_url: &str) -> Result<Desired> {
    let templates = Templates::new(config.templates_dir.as_deref());
    let kc = &config.keycloak;
    let mut vars: Vars = [
        ("realm", json!(kc.realm)),
        (
            "access_token_lifespan_secs",
            json!(kc.access_token_lifespan_secs),
        ),
        ("ocp_client_id", json!(kc.ocp_client_id)),
        (
            "ocp_client_secret",
            json!(
                state
                    .secret(&names::client_secret(&kc.ocp_client_id))?
                    .expose()
            ),
        ),
        (
            "ocp_oauth_callback_url",
            json!(config.oauth_callback_url(oauth_url)),
        ),
        ("app_client_id", json!(kc.app_client_id)),
        (
            "app_client_secret",
            json!(
                state
                    .secret(&names::client_secret(&kc.app_client_id))?
                    .expose()
            ),
        ),
        (
            "app_redirect_uris",
            json!(config.app_callback_uris("keycloak")),
        ),
        (
            "app_post_logout_redirect_uris",
            json!(config.app_post_logout_redirect_uris()),
        ),
    ]
    .into();

    let realm = templates.render("keycloak-realm/realm.yaml", &vars)?;
    let clients = vec![
        templates.render("keycloak-realm/clients/ocp-client.yaml", &vars)?,
        templates.render("keycloak-realm/clients/app-client.yaml", &vars)?,
    ];
    let mut users = Vec::with_capacity(config.users.len());
    for user in &config.users {
        vars.insert("username", json!(user.username));
        vars.insert("first_name", json!(user.first_name));
        vars.insert("last_name", json!(user.last_name));
        vars.insert("email", json!(user.email));
        users.push(DesiredUser {
            username: user.username.clone(),
            rep: templates.render("keycloak-realm/user.yaml", &vars)?,
            password: state.secret_or(
                &names::user_password(&user.username),
                user.password.as_deref(),
            )?,
        });
    }
    Ok(Desired {
        realm,
        clients,
        users,
    })
}
