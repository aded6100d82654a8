//! Commands that show what is configured: credentials (the only output with secrets), config.

use std::process::ExitCode;

use anyhow::Result;

use crate::config::Config;
use crate::context::Context;
use crate::state::names;
use crate::ui::out;

/// Prints every credential a person needs; the one command that shows secrets.
pub fn credentials(ctx: &Context) -> Result<ExitCode> {
    let config = &ctx.config;
    let admin = ctx.state.secret(names::KEYCLOAK_ADMIN_PASSWORD)?;
    out(format!("Keycloak admin ({}):\n", config.keycloak_url()));
    out(format!(
        "  {}  {}\n",
        config.keycloak.admin_username,
        admin.expose()
    ));
    out(format!("Users of realm {}:\n", config.keycloak.realm));
    for user in &config.users {
        let password = ctx.state.secret_or(
            &names::user_password(&user.username),
            user.password.as_deref(),
        )?;
        out(format!("  {}  {}\n", user.username, password.expose()));
    }
    out("Client secrets:\n");
    for client in [
        &config.keycloak.ocp_client_id,
        &config.keycloak.app_client_id,
    ] {
        let secret = ctx.state.secret(&names::client_secret(client))?;
        out(format!("  keycloak client {client}  {}\n", secret.expose()));
    }
    let oauth = &config.openshift.oauth_client_name;
    let secret = ctx.state.secret(&names::oauth_client_secret(oauth))?;
    out(format!(
        "  OpenShift OAuthClient {oauth}  {}\n",
        secret.expose()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The effective configuration, as YAML.
pub fn show_config(config: &Config) -> Result<ExitCode> {
    out(serde_yaml::to_string(config)?);
    Ok(ExitCode::SUCCESS)
}
