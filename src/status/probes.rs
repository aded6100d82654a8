//! Live checks a plan cannot make: is Keycloak answering over HTTPS with our CA, is the
//! demo app healthy, and (deep) does the whole sign-in and exchange work for one user.

use super::part::Part;
use super::row::Row;
use crate::context::Context;
use crate::demo_app::container::local_health_url;
use crate::keycloak::server::PROBE_TIMEOUT;
use crate::openshift::rollout::{Probe, Rollout};
use crate::verify;

/// Keycloak's master realm answers over HTTPS, verified against our CA.
pub async fn keycloak(ctx: &Context) -> Result<(), String> {
    ctx.keycloak_answers()
        .await
        .map_err(|e| format!("Keycloak is not answering: {e}"))
}

/// The demo app's /health answers 2xx.
pub async fn app(ctx: &Context) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .build()
        .map_err(|err| err.to_string())?;
    answers(&client, &local_health_url(&ctx.config))
        .await
        .map_err(|e| format!("/health is not answering: {e}"))
}

async fn answers(client: &reqwest::Client, url: &str) -> Result<(), String> {
    match client.get(url).send().await {
        Ok(resp) if resp.status().is_success() => Ok(()),
        Ok(resp) => Err(format!("{url} answered {}", resp.status())),
        Err(err) => Err(format!("{url}: {}", crate::http::describe_error(&err))),
    }
}

/// Why the cluster does not serve bridgectl's identity provider yet (its authentication
/// operator rolling it out, or Degraded), if it does not.
pub async fn rollout(ctx: &Context) -> Option<String> {
    let upstreams = ctx.upstreams().await.ok()?;
    let probe = Probe {
        cluster: ctx.cluster().await.ok()?,
        config: &ctx.config,
        oauth_url: &upstreams.ocp_oauth_url,
        ca_bundle: &upstreams.ca_bundle,
    };
    match probe.look().await.ok()? {
        Rollout::Served => None,
        Rollout::Pending { why, .. } => Some(why),
    }
}

/// The first configured user through the demo app: sign-in, token exchange, OpenShift.
pub async fn token_exchange(ctx: &Context) -> Row {
    let part = Part::TokenExchange;
    let Some(user) = ctx.config.users.first() else {
        return Row {
            part,
            ok: false,
            rolling_out: false,
            reason: "no users configured".into(),
            hint: Some("add a user to the configuration".into()),
        };
    };
    let rows = match verify::run(ctx, std::slice::from_ref(user)).await {
        Ok(rows) => rows,
        Err(err) => {
            return Row {
                part,
                ok: false,
                rolling_out: false,
                reason: format!("{err:#}"),
                hint: Some("run `bridgectl verify` for every user".into()),
            };
        }
    };
    let row = &rows[0];
    Row {
        part,
        ok: row.passed(),
        rolling_out: false,
        reason: match &row.problem {
            None if row.passed() => format!(
                "{} signed in, exchanged a token (azp {}) and listed {}",
                user.username,
                ctx.config.keycloak.ocp_client_id,
                row.seen.join(", ")
            ),
            None => format!(
                "{} saw {:?}, expected {:?}",
                user.username, row.seen, row.expected
            ),
            Some(problem) => format!("{}: {problem}", user.username),
        },
        hint: (!row.passed()).then(|| "run `bridgectl verify` for the full matrix".into()),
    }
}
