//! step5: the projects of the RBAC matrix and one role binding per user, role and project.

use anyhow::Result;

use crate::context::Context;
use crate::openshift::{desired, projects, rbac};
use crate::reconcile::Report;

pub async fn run(ctx: &Context) -> Result<Report> {
    let mut report = ctx.report();
    let cluster = ctx.cluster().await?;
    let desired = desired::rbac(&ctx.config, projects::projects_served(cluster).await?)?;
    for request in &desired.project_requests {
        projects::ensure(cluster, request, &mut report).await?;
    }
    rbac::ensure_all(cluster, &desired.bindings, &mut report).await?;
    Ok(report)
}
