//! `all`: the five steps, concurrently where they do not depend on each other, with one
//! live line per step.
//!
//! step5 (projects, bindings) needs nothing and starts at once, like step1. step3 (the
//! cluster's identity provider) and step4 (the demo app) need only step1's CA, so they
//! start as soon as it exists; step2 (Keycloak's contents) waits for step1 to finish,
//! that is for Keycloak to answer.

use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::watch;

use super::{Step, run as run_step, step2};
use crate::context::Context;
use crate::reconcile::{Outcome, Report};
use crate::tls;

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

/// What step1 has got to, for the steps waiting on it.
#[derive(Clone, Copy, PartialEq)]
enum Progress {
    Running,
    /// Finished; `true` when it succeeded, and whether a dry run plans a new Keycloak.
    Done {
        succeeded: bool,
        keycloak_is_new: bool,
    },
}

/// Runs every step; a failing step stops only the steps that need it.
pub async fn run(ctx: &Context) -> Vec<StepRun> {
    let lines = &Lines::new(ctx);
    let (tell, progress) = watch::channel(Progress::Running);
    let one = async {
        let run = on_line(lines, ctx, Step::One).await;
        let keycloak_is_new = ctx.dry_run && plans_new_keycloak(&run);
        let _ = tell.send(Progress::Done {
            succeeded: run.succeeded(),
            keycloak_is_new,
        });
        run
    };
    let two = async {
        match step1_finished(progress.clone()).await {
            Progress::Done {
                succeeded: true,
                keycloak_is_new: true,
            } => {
                // A dry run cannot read a Keycloak that step1 has yet to start.
                let step_ctx = lines.start(ctx, Step::Two);
                let run = timed(Step::Two, step2::plan_on_new_keycloak(&step_ctx)).await;
                lines.finish(&run);
                run
            }
            Progress::Done {
                succeeded: true, ..
            } => on_line(lines, ctx, Step::Two).await,
            _ => skipped(lines, Step::Two),
        }
    };
    let needs_ca = |step| {
        let progress = progress.clone();
        async move {
            if ca_available(ctx, progress).await {
                on_line(lines, ctx, step).await
            } else {
                skipped(lines, step)
            }
        }
    };
    let (one, two, three, four, five) = tokio::join!(
        one,
        two,
        needs_ca(Step::Three),
        needs_ca(Step::Four),
        on_line(lines, ctx, Step::Five)
    );
    vec![one, two, three, four, five]
}

async fn step1_finished(mut progress: watch::Receiver<Progress>) -> Progress {
    match progress.wait_for(|p| *p != Progress::Running).await {
        Ok(done) => *done,
        Err(_) => Progress::Done {
            succeeded: false,
            keycloak_is_new: false,
        },
    }
}

/// Waits until step1 has written the CA (or, in a dry run, planned it); `false` when
/// step1 ended without one.
async fn ca_available(ctx: &Context, progress: watch::Receiver<Progress>) -> bool {
    if ctx.dry_run {
        return true;
    }
    loop {
        if matches!(ctx.state.read(tls::CA_CERT), Ok(Some(_))) {
            return true;
        }
        if let Progress::Done { succeeded, .. } = *progress.borrow() {
            return succeeded && matches!(ctx.state.read(tls::CA_CERT), Ok(Some(_)));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn skipped(lines: &Lines, step: Step) -> StepRun {
    let run = StepRun {
        step,
        end: StepEnd::Skipped(Step::One),
        took: Duration::ZERO,
    };
    lines.finish(&run);
    run
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
