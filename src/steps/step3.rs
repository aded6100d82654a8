//! step3: the OpenShift side of the sign-in: the ocp client's secret and our CA in
//! openshift-config, our identity provider in oauths/cluster, the demo app's OAuthClient;
//! then the cluster's identities of configured users checked against their Keycloak ids,
//! then the wait for the cluster to serve the provider (its authentication operator rolls
//! it out). In `all` the later phases run once step2 has made Keycloak's users.

use anyhow::Result;

use crate::context::Context;
use crate::openshift::{desired, hosted, identities, identity_provider, objects, rollout};
use crate::reconcile::Report;

pub async fn run(ctx: &Context) -> Result<Report> {
    let mut report = ctx.report();
    provider(ctx, &mut report).await?;
    identities(ctx, &mut report).await?;
    served(ctx).await?;
    Ok(report)
}

/// Waits until the OAuth server sends a sign-in through our provider to Keycloak and the
/// authentication operator has settled (not in a plan).
pub async fn served(ctx: &Context) -> Result<()> {
    if ctx.gate.plans() {
        return Ok(());
    }
    let upstreams = ctx.upstreams().await?;
    let probe = rollout::Probe {
        cluster: ctx.cluster().await?,
        config: &ctx.config,
        oauth_url: &upstreams.ocp_oauth_url,
        ca_bundle: &upstreams.ca_bundle,
    };
    probe.wait(&ctx.ui).await
}

/// The secret, the CA, the identity provider and the OAuthClient.
pub async fn provider(ctx: &Context, report: &mut Report) -> Result<()> {
    let desired = desired::sign_in(&ctx.config, &ctx.state, &ctx.ca_pem()?)?;
    let cluster = ctx.cluster().await?;
    let ca_file = ctx.state.root().join(crate::tls::CA_CERT);
    hosted::refuse_external_oauth(cluster, &desired.identity_provider, &ca_file).await?;
    for object in &desired.secret_and_ca {
        objects::ensure(cluster, object, report).await?;
    }
    identity_provider::ensure(
        cluster,
        &desired.identity_provider,
        &desired.empty_oauth,
        report,
    )
    .await?;
    objects::ensure(cluster, &desired.oauth_client, report).await
}

/// Removes identities of configured users whose subject is no longer their Keycloak id
/// (a Keycloak restored from elsewhere), so that they can sign in again without `clean`.
/// Keycloak not answering, or a realm step2 has yet to create, leaves them unjudged.
pub async fn identities(ctx: &Context, report: &mut Report) -> Result<()> {
    let config = &ctx.config;
    let realm = &config.keycloak.realm;
    let ids = match keycloak_user_ids(ctx).await {
        Ok(Some(ids)) => ids,
        Ok(None) => {
            ctx.ui.detail(format!(
                "OpenShift identities not checked: realm {realm} does not exist yet (step2 creates it)"
            ));
            return Ok(());
        }
        Err(err) => {
            ctx.ui.warn(format!(
                "OpenShift identities not checked against Keycloak's user ids: {err:#}. \
                 Run step3 again once Keycloak answers"
            ));
            return Ok(());
        }
    };
    let cluster = ctx.cluster().await?;
    let ours = identities::of_provider(cluster, &config.openshift.idp_name).await?;
    let usernames: Vec<String> = config.users.iter().map(|u| u.username.clone()).collect();
    let stale = identities::stale(ours, &usernames, &ids);
    identities::remove(cluster, stale, report).await
}

async fn keycloak_user_ids(
    ctx: &Context,
) -> Result<Option<std::collections::BTreeMap<String, String>>> {
    // One quick look first: a Keycloak that is down should not hold step3 (or status)
    // for the admin client's retries.
    ctx.keycloak_answers()
        .await
        .map_err(|err| anyhow::anyhow!("Keycloak does not answer: {err}"))?;
    let users = ctx.keycloak_users().await?;
    Ok(users.map(|users| {
        users
            .into_iter()
            .filter_map(|(name, user)| Some((name, user["id"].as_str()?.to_string())))
            .collect()
    }))
}
