//! `bridgectl clean`: removes what bridgectl created (its containers and Keycloak's data
//! volume, the images it built with `--images`, its labelled cluster objects and its own
//! identity provider entry, the state directory with `--purge`) and nothing else.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::container::{self, ContainerState};
use crate::context::Context;
use crate::keycloak::{self, server};
use crate::openshift::cleanup;
use crate::output::{self, Output};
use crate::reconcile::{Kind, Outcome, Report};

pub struct CleanOptions {
    /// Do not ask for confirmation.
    pub yes: bool,
    /// Also remove the images bridgectl built.
    pub images: bool,
    /// Also remove the state directory (secrets, certificates).
    pub purge: bool,
    /// Wait until the cluster has removed the deleted projects (they stay Terminating
    /// while their content goes).
    pub wait: bool,
}

pub async fn clean(ctx: &Context, output: &Output, options: &CleanOptions) -> Result<ExitCode> {
    if !options.yes {
        ctx.gate
            .unless_planning(async { confirm(ctx, options) })
            .await?;
    }
    let mut report = ctx.report();
    let mut failures = Vec::new();
    if let Err(err) = clean_containers(ctx, options, &mut report).await {
        failures.push(format!("containers: {err:#}"));
    }
    if let Err(err) = clean_cluster(ctx, options, &mut report).await {
        failures.push(format!("cluster: {err:#}"));
    }
    if options.purge && failures.is_empty() {
        purge_state(ctx, &mut report).await?;
    }
    ctx.ui.info(format!("clean: {}", report.summary()));
    let code = output::report(output, "clean", &report)?;
    if failures.is_empty() {
        return Ok(code);
    }
    for failure in &failures {
        eprintln!("error: {failure}");
    }
    if options.purge {
        eprintln!("the state directory was kept, since something could not be removed");
    }
    Ok(ExitCode::FAILURE)
}

fn confirm(ctx: &Context, options: &CleanOptions) -> Result<()> {
    let config = &ctx.config;
    let mut what = format!(
        "containers {} and {} (and Keycloak's data volume {}), bridgectl's objects on the cluster (labelled app.kubernetes.io/managed-by=bridgectl) \
         and its identity provider entry {}",
        config.app.container_name,
        config.keycloak.container_name,
        server::data_volume(config).name,
        config.openshift.idp_name
    );
    if options.images {
        what.push_str(&format!(", the image {}", config.app.image));
        if let Some(build) = keycloak::image::optimized_build(config) {
            what.push_str(&format!(
                " and Keycloak's optimized image {} (unless another container uses it)",
                build.tag
            ));
        }
    }
    if options.purge {
        what.push_str(&format!(
            ", and the state directory {} (secrets, certificates)",
            ctx.state.root().display()
        ));
    }
    if !std::io::stdin().is_terminal() {
        bail!("clean removes {what}. Pass --yes to confirm (or --dry-run to see the list first)");
    }
    eprint!("This removes {what}.\nContinue? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        bail!("nothing removed");
    }
    Ok(())
}

async fn clean_containers(
    ctx: &Context,
    options: &CleanOptions,
    report: &mut Report,
) -> Result<()> {
    let config = &ctx.config;
    let engine = ctx.engine().await?;
    for name in [&config.app.container_name, &config.keycloak.container_name] {
        match container::state(engine, name).await? {
            ContainerState::Absent => report.found(Kind::Container, name, Outcome::Absent, vec![]),
            ContainerState::Foreign => report.found(
                Kind::Container,
                name,
                Outcome::Unchanged,
                vec!["not created by bridgectl: left alone".into()],
            ),
            ContainerState::Managed { id, .. } => {
                report
                    .apply_delete(Kind::Container, name, || async {
                        container::remove(engine, &id).await.map(|()| true)
                    })
                    .await?;
            }
        }
    }
    // Keycloak's data outlives its container until now; with the container gone, it goes,
    // and with it the users whose passwords bridgectl kept track of.
    if container::remove_volume(engine, &server::data_volume(config), report).await? {
        keycloak::users::forget_passwords(&ctx.state, report.gate()).await?;
    }
    if options.images {
        container::remove_built_image(engine, &config.app.image, report).await?;
        if let Some(build) = keycloak::image::optimized_build(config) {
            container::remove_built_image(engine, &build.tag, report).await?;
        }
    }
    Ok(())
}

async fn clean_cluster(ctx: &Context, options: &CleanOptions, report: &mut Report) -> Result<()> {
    let cluster = ctx.cluster().await?;
    cleanup::remove_owned(cluster, &ctx.config.openshift.idp_name, report).await?;
    if report.is_plan() {
        return Ok(());
    }
    let wait = options
        .wait
        .then(|| Duration::from_secs(ctx.config.openshift.wait_timeout_secs));
    cleanup::settle_projects(cluster, wait, &ctx.ui, report).await
}

/// Everything in the state directory but its lock and a sandbox that still runs from it.
async fn purge_state(ctx: &Context, report: &mut Report) -> Result<()> {
    let root = ctx.state.root();
    let sandbox_runs = crate::sandbox::running(root).is_some();
    let Ok(entries) = std::fs::read_dir(root) else {
        report.found(
            Kind::State,
            root.display().to_string(),
            Outcome::Absent,
            vec![],
        );
        return Ok(());
    };
    let doomed: Vec<_> = entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            !(name == ".lock" || (sandbox_runs && name == "sandbox"))
        })
        .map(|entry| entry.path())
        .collect();
    let details = if sandbox_runs {
        vec!["kept sandbox/: the sandbox still runs (`bridgectl sandbox down` first)".into()]
    } else {
        vec![]
    };
    let remove_all = || async {
        for path in &doomed {
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
            removed.map_err(|err| anyhow::anyhow!("cannot remove {}: {err}", path.display()))?;
        }
        anyhow::Ok(())
    };
    report
        .apply(
            Kind::State,
            root.display().to_string(),
            Outcome::Deleted,
            details,
            remove_all,
        )
        .await?;
    Ok(())
}
