//! Single steps, the sandbox and verify: run, print the report or matrix, exit code.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::SandboxAction;
use crate::context::Context;
use crate::steps::{self, Step};
use crate::ui::out;
use crate::{sandbox as sim, verify as matrix};

pub async fn step(ctx: &Context, step: Step) -> Result<ExitCode> {
    ctx.ui.info(step.title());
    let report = steps::run(ctx, step).await?;
    out(report.render());
    ctx.ui
        .info(format!("{}: {}", step.title(), report.summary()));
    Ok(ExitCode::SUCCESS)
}

pub async fn sandbox(ctx: &Context, action: SandboxAction) -> Result<ExitCode> {
    let report = match action {
        SandboxAction::Up => sim::up(ctx).await?,
        SandboxAction::Down => sim::down(ctx).await?,
    };
    out(report.render());
    Ok(ExitCode::SUCCESS)
}

/// Exit 1 when any user's row is not all ✔.
pub async fn verify(ctx: &Context) -> Result<ExitCode> {
    let rows = matrix::run(ctx, &ctx.config.users).await?;
    out(matrix::render(&rows));
    Ok(if rows.iter().all(matrix::Row::passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
