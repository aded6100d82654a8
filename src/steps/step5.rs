//! step5: the projects of the RBAC matrix and one role binding per user, role and project.

use std::collections::BTreeSet;

use anyhow::Result;
use serde_json::json;

use crate::context::Context;
use crate::openshift::{cluster, objects, projects, rbac};
use crate::reconcile::Report;
use crate::templates::{Templates, Vars};

pub async fn run(ctx: &Context) -> Result<Report> {
    let config = &ctx.config;
    let mut report = Report::new(ctx.dry_run);
    let templates = Templates::new(config.templates_dir.as_deref());
    let cluster = cluster::connect(config).await?;
    let request_template = if projects::projects_served(&cluster).await? {
        "manifests/project-request.yaml"
    } else {
        "manifests/namespace.yaml"
    };

    let names: BTreeSet<&str> = config
        .users
        .iter()
        .flat_map(|u| u.projects.iter().map(|p| p.name.as_str()))
        .collect();
    for project in &names {
        let vars: Vars = [("project", json!(project))].into();
        projects::ensure(
            &cluster,
            &templates.render(request_template, &vars)?,
            &mut report,
        )
        .await?;
    }

    let mut bindings = Vec::new();
    for user in &config.users {
        for grant in &user.projects {
            let vars: Vars = [
                ("project", json!(grant.name)),
                ("role", json!(grant.role.as_str())),
                ("username", json!(user.username)),
            ]
            .into();
            let rendered = templates.render("manifests/rolebinding.yaml", &vars)?;
            bindings.push(objects::from_manifest(rendered)?);
        }
    }
    rbac::ensure_all(&cluster, &bindings, &mut report).await?;
    Ok(report)
}
