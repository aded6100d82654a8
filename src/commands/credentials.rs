//! Commands that show what is configured: credentials (the only output with secrets), config.

use std::process::ExitCode;

use anyhow::Result;

use serde::Serialize;

use crate::config::Config;
use crate::context::Context;
use crate::output::Output;
use crate::state::names;

/// One account or client and its secret.
#[derive(Serialize)]
struct Credential {
    what: String,
    name: String,
    secret: String,
}

/// Prints every credential a person needs; the one command that shows secrets.
pub fn credentials(ctx: &Context, output: &Output) -> Result<ExitCode> {
    let config = &ctx.config;
    let mut all = vec![Credential {
        what: format!("Keycloak admin ({})", config.keycloak_url()),
        name: config.keycloak.admin_username.clone(),
        secret: ctx
            .state
            .secret(names::KEYCLOAK_ADMIN_PASSWORD)?
            .expose()
            .to_string(),
    }];
    for user in &config.users {
        let password = ctx.state.secret_or(
            &names::user_password(&user.username),
            user.password.as_deref(),
        )?;
        all.push(Credential {
            what: format!("user of realm {}", config.keycloak.realm),
            name: user.username.clone(),
            secret: password.expose().to_string(),
        });
    }
    for client in [
        &config.keycloak.ocp_client_id,
        &config.keycloak.app_client_id,
    ] {
        all.push(Credential {
            what: "Keycloak client".into(),
            name: client.clone(),
            secret: ctx
                .state
                .secret(&names::client_secret(client))?
                .expose()
                .to_string(),
        });
    }
    let oauth = &config.openshift.oauth_client_name;
    all.push(Credential {
        what: "OpenShift OAuthClient".into(),
        name: oauth.clone(),
        secret: ctx
            .state
            .secret(&names::oauth_client_secret(oauth))?
            .expose()
            .to_string(),
    });
    let document = serde_json::json!({"command": "credentials", "credentials": all});
    output.print(&document, || {
        let what = all.iter().map(|c| c.what.len()).max().unwrap_or(0);
        let name = all.iter().map(|c| c.name.len()).max().unwrap_or(0);
        all.iter()
            .map(|c| format!("{:what$}  {:name$}  {}\n", c.what, c.name, c.secret))
            .collect()
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The effective configuration: YAML for people, or the chosen document.
pub fn show_config(config: &Config, output: &Output) -> Result<ExitCode> {
    let yaml = serde_yaml::to_string(config)?;
    output.print(config, || yaml)?;
    Ok(ExitCode::SUCCESS)
}
