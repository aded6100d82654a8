//! bridgectl: parse the command line, build the context, dispatch.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use bridgectl::cli::{Cli, Command};
use bridgectl::context::Context;
use bridgectl::output::Output;
use bridgectl::steps::Step;
use bridgectl::{carried, commands, config, sandbox, state, ui};

fn main() -> ExitCode {
    // A usage error exits 1 (clap's own 2 means "changes planned" under --detailed-exitcode).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(bridgectl::output::exit::ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Internal(program) => return carried::run(program),
        Command::Completion { shell } => return commands::completion(shell),
        Command::Man { dir } => {
            return commands::man(&dir).unwrap_or_else(|err| {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            });
        }
        _ => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let ui = ui::Ui::new(cli.global.verbose, cli.global.quiet);
    match runtime.block_on(run(cli, ui.clone())) {
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
    let ctx = Context::new(config, state, ui, global.dry_run);
    let output = &Output {
        format: global.output,
        quiet: global.quiet,
        detailed_exitcode: global.detailed_exitcode,
    };
    match cli.command {
        Command::Step1 => commands::step(&ctx, output, Step::One).await,
        Command::Step2 => commands::step(&ctx, output, Step::Two).await,
        Command::Step3 => commands::step(&ctx, output, Step::Three).await,
        Command::Step4 => commands::step(&ctx, output, Step::Four).await,
        Command::Step5 => commands::step(&ctx, output, Step::Five).await,
        Command::All => commands::all(&ctx, output).await,
        Command::Verify => commands::verify(&ctx, output).await,
        Command::Status { deep } => commands::status(&ctx, output, deep).await,
        Command::Clean {
            yes,
            images,
            purge,
            wait,
        } => {
            let options = commands::CleanOptions {
                yes,
                images,
                purge,
                wait,
            };
            commands::clean(&ctx, output, &options).await
        }
        Command::Sandbox(action) => commands::sandbox(&ctx, output, action).await,
        Command::Credentials => commands::credentials(&ctx, output),
        Command::Config => commands::show_config(&ctx.config, output),
        Command::Internal(_) | Command::Completion { .. } | Command::Man { .. } => {
            unreachable!("handled before the runtime starts")
        }
    }
}
