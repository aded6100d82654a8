//! Single steps, the sandbox and verify: run, print the report or matrix, exit code.

use std::process::ExitCode;

use anyhow::Result;

use serde_json::json;

use crate::cli::SandboxAction;
use crate::context::Context;
use crate::output::{self, Output};
use crate::steps::{self, Step};
use crate::{sandbox as sim, verify as matrix};

pub async fn step(ctx: &Context, output: &Output, step: Step) -> Result<ExitCode> {
    ctx.ui.info(step.title());
    let report = steps::run(ctx, step).await?;
    ctx.ui
        .info(format!("{}: {}", step.title(), report.summary()));
    output::report(output, step.name(), &report)
}

pub async fn sandbox(ctx: &Context, output: &Output, action: SandboxAction) -> Result<ExitCode> {
    let (report, command) = match action {
        SandboxAction::Up => (sim::up(ctx).await?, "sandbox up"),
        SandboxAction::Down => (sim::down(ctx).await?, "sandbox down"),
    };
    output::report(output, command, &report)
}

/// Exit 2 when any user's row is not all ✔.
pub async fn verify(ctx: &Context, output: &Output) -> Result<ExitCode> {
    let rows = matrix::run(ctx, &ctx.config.users).await?;
    let passed = rows.iter().all(matrix::Row::passed);
    let document = json!({"command": "verify", "ok": passed, "users": rows});
    output.print(&document, || matrix::render(&rows))?;
    Ok(output::check_exit(passed))
}
