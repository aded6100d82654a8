//! `all`: the five steps, concurrently where they do not depend on each other, with one
//! live line per step.
//!
//! step1 (certificates, Keycloak) and step5 (projects, bindings) start at once; step2
//! (Keycloak's contents), step3 (the cluster's identity provider) and step4 (the demo
//! app) need step1's CA and secrets, and start together when it is done.

use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Step, run as run_step, step2};
use crate::context::Context;
use crate::reconcile::{Outcome, Report};

/// How one step of `all` ended.
pub enum StepEnd {
    Done(Report),
    Failed(anyhow::Error),
    /// Not run because a step it needs failed.
    Skipped(Step),
}

pub struct StepRun {
    pub step: Step,
    pub end: StepEnd,
    pub took: Duration,
}

impl StepRun {
    pub fn succeeded(&self) -> bool {
        matches!(self.end, StepEnd::Done(_))
    }
}

/// Runs every step; a failing step stops only the steps that need it.
pub async fn run(ctx: &Context) -> Vec<StepRun> {
    let lines = &Lines::new(ctx);
    let after_step1 = async {
        let first = on_line(lines, ctx, Step::One).await;
        let dependents = [Step::Two, Step::Three, Step::Four];
        if !first.succeeded() {
            let skipped = dependents.map(|step| StepRun {
                step,
                end: StepEnd::Skipped(Step::One),
                took: Duration::ZERO,
            });
            skipped.iter().for_each(|run| lines.finish(run));
            return std::iter::once(first).chain(skipped).collect();
        }
        // A dry run cannot read a Keycloak that step1 has yet to start.
        let keycloak_is_new = ctx.dry_run && plans_new_keycloak(&first);
        let (two, three, four) = tokio::join!(
            async {
                if keycloak_is_new {
                    let step_ctx = lines.start(ctx, Step::Two);
                    let run = timed(Step::Two, step2::plan_on_new_keycloak(&step_ctx)).await;
                    lines.finish(&run);
                    run
                } else {
                    on_line(lines, ctx, Step::Two).await
                }
            },
            on_line(lines, ctx, Step::Three),
            on_line(lines, ctx, Step::Four),
        );
        vec![first, two, three, four]
    };
    let (mut runs, five) = tokio::join!(after_step1, on_line(lines, ctx, Step::Five));
    runs.push(five);
    runs.sort_by_key(|run| run.step as u8);
    runs
}

/// One step on its own live line.
async fn on_line(lines: &Lines, ctx: &Context, step: Step) -> StepRun {
    let step_ctx = lines.start(ctx, step);
    let run = timed(step, run_step(&step_ctx, step)).await;
    lines.finish(&run);
    run
}

async fn timed(step: Step, work: impl Future<Output = anyhow::Result<Report>>) -> StepRun {
    let started = Instant::now();
    let end = match work.await {
        Ok(report) => StepEnd::Done(report),
        Err(err) => StepEnd::Failed(err),
    };
    StepRun {
        step,
        end,
        took: started.elapsed(),
    }
}

fn plans_new_keycloak(run: &StepRun) -> bool {
    let StepEnd::Done(report) = &run.end else {
        return false;
    };
    report.changes.iter().any(|change| {
        change.kind == "container" && matches!(change.outcome, Outcome::Created | Outcome::Updated)
    })
}

/// A live line per step on a terminal; plain prefixed log lines elsewhere.
struct Lines {
    multi: Option<MultiProgress>,
    bars: std::sync::Mutex<Vec<(Step, ProgressBar)>>,
}

impl Lines {
    fn new(ctx: &Context) -> Lines {
        let multi = ctx
            .ui
            .interactive()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Lines {
            multi,
            bars: Default::default(),
        }
    }

    /// The step's context, reporting on its own line.
    fn start(&self, ctx: &Context, step: Step) -> Context {
        let bar = match &self.multi {
            Some(multi) => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {prefix:8} {wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(step.name());
                bar.set_message(step.title());
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            }
            None => {
                ctx.ui
                    .info(format!("{} │ started: {}", step.name(), step.title()));
                ProgressBar::hidden()
            }
        };
        self.bars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((step, bar.clone()));
        ctx.with_ui(ctx.ui.on_line(step.name(), bar))
    }

    /// Ends the step's line with ✔ and its counts, ✖ and the reason, or why it was skipped.
    fn finish(&self, run: &StepRun) {
        let line = match &run.end {
            StepEnd::Done(report) => format!(
                "✔ {:8} {} ({:.1}s)",
                run.step.name(),
                report.summary(),
                run.took.as_secs_f64()
            ),
            StepEnd::Failed(err) => format!(
                "✖ {:8} {}",
                run.step.name(),
                err.to_string().lines().next().unwrap_or_default()
            ),
            StepEnd::Skipped(needed) => {
                format!("· {:8} skipped: {} failed", run.step.name(), needed.name())
            }
        };
        let bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        match bars.iter().find(|(step, _)| *step == run.step) {
            Some((_, bar)) if self.multi.is_some() => {
                bar.set_style(
                    ProgressStyle::with_template("{wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.finish_with_message(line);
            }
            _ => match &self.multi {
                Some(multi) => {
                    let _ = multi.println(line);
                }
                None => eprintln!("{line}"),
            },
        }
    }
}
