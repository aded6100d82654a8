//! step5: the projects of the RBAC matrix and one role binding per user, role and project.

use std::time::Duration;

use anyhow::Result;

use crate::context::Context;
use crate::openshift::{desired, projects, rbac};
use crate::reconcile::Report;

pub async fn run(ctx: &Context) -> Result<Report> {
    let mut report = ctx.report();
    let cluster = ctx.cluster().await?;
    let desired = desired::rbac(&ctx.config, projects::projects_served(cluster).await?)?;
    let patience = projects::Patience {
        ui: &ctx.ui,
        timeout: Duration::from_secs(ctx.config.openshift.wait_timeout_secs),
    };
    for request in &desired.project_requests {
        projects::ensure(cluster, request, &patience, &mut report).await?;
    }
    rbac::ensure_all(cluster, &desired.bindings, &mut report).await?;
    Ok(report)
}
