//! step3: the OpenShift side of the sign-in: the ocp client's secret and our CA in
//! openshift-config, our identity provider in oauths/cluster, the demo app's OAuthClient.

use anyhow::Result;

use crate::context::Context;
use crate::openshift::{desired, identity_provider, objects};
use crate::reconcile::Report;

pub async fn run(ctx: &Context) -> Result<Report> {
    let mut report = ctx.report();
    let desired = desired::sign_in(&ctx.config, &ctx.state, &ctx.ca_pem()?)?;
    let cluster = ctx.cluster().await?;
    for object in &desired.secret_and_ca {
        objects::ensure(cluster, object, &mut report).await?;
    }
    identity_provider::ensure(
        cluster,
        &desired.identity_provider,
        &desired.empty_oauth,
        &mut report,
    )
    .await?;
    objects::ensure(cluster, &desired.oauth_client, &mut report).await?;
    Ok(report)
}
