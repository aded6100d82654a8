//! bridgectl: parse the command line, build the context, dispatch.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use bridgectl::cli::{Cli, Command, OutputFormat, SandboxAction};
use bridgectl::context::Context;
use bridgectl::steps::Step;
use bridgectl::ui::out;
use bridgectl::{commands, config, sandbox, state, steps, ui, verify};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = ui::Ui::new(cli.global.verbose, cli.global.quiet);
    match run(cli, ui.clone()).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, ui: ui::Ui) -> Result<ExitCode> {
    let global = &cli.global;
    // --kubeconfig and --context are shorthands for --set on their fields.
    let mut overrides = global.overrides.clone();
    if let Some(path) = &global.kubeconfig {
        overrides.push(format!("openshift.kubeconfig={}", path.display()));
    }
    if let Some(context) = &global.context {
        overrides.push(format!("openshift.context={context}"));
    }
    let loaded = config::load(config::Inputs {
        file: global.config.as_deref(),
        flags: &overrides,
        env: std::env::vars().collect(),
    })?;
    for warning in &loaded.warnings {
        ui.warn(warning);
    }
    let mut config = loaded.config;
    if let Some(kubeconfig) = sandbox::fallback_kubeconfig(&config, &global.state_dir) {
        ui.detail(format!(
            "no cluster configured; using the running sandbox ({})",
            kubeconfig.display()
        ));
        config.openshift.kubeconfig = Some(kubeconfig);
    }
    // Only commands that change something write the state directory and take its lock.
    let read_only = global.dry_run || cli.command.only_reads();
    let state = if read_only {
        state::StateDir::open_read_only(&global.state_dir)
    } else {
        state::StateDir::open(&global.state_dir)?
    };
    let _lock = if read_only {
        None
    } else {
        Some(state.lock(|holder| {
            ui.info(format!(
                "waiting for another bridgectl run on {} ({holder}) to finish",
                global.state_dir.display()
            ))
        })?)
    };
    let ctx = Context {
        config,
        state,
        ui,
        dry_run: global.dry_run,
    };
    let step = match cli.command {
        Command::Step1 => Step::One,
        Command::Step2 => Step::Two,
        Command::Step3 => Step::Three,
        Command::Step4 => Step::Four,
        Command::Step5 => Step::Five,
        Command::Credentials => {
            commands::credentials(&ctx)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Config => {
            commands::show_config(&ctx.config)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Sandbox(action) => {
            let report = match action {
                SandboxAction::Up => sandbox::up(&ctx).await?,
                SandboxAction::Down => sandbox::down(&ctx).await?,
            };
            out(report.render());
            return Ok(ExitCode::SUCCESS);
        }
        Command::Verify => {
            let rows = verify::run(&ctx, &ctx.config.users).await?;
            out(verify::render(&rows));
            let passed = rows.iter().all(verify::Row::passed);
            return Ok(if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::All => return Ok(commands::all(&ctx).await),
        Command::Status { deep, output } => {
            return commands::status(&ctx, deep, output == OutputFormat::Json).await;
        }
        Command::Clean { yes, images, purge } => {
            let options = commands::CleanOptions { yes, images, purge };
            return commands::clean(&ctx, &options).await;
        }
    };
    ctx.ui.info(step.title());
    let report = steps::run(&ctx, step).await?;
    out(report.render());
    ctx.ui
        .info(format!("{}: {}", step.title(), report.summary()));
    Ok(ExitCode::SUCCESS)
}
