//! `all`: the five steps, concurrently where they do not depend on each other, with one
//! live line per step.
//!
//! step5 (projects, bindings) needs nothing and starts at once, like step1. step3 (the
//! cluster's identity provider) and step4 (the demo app) need only step1's CA, so they
//! start as soon as step1's certificate phase is done; step2 (Keycloak's contents) waits
//! for step1 to finish, that is for Keycloak to answer. step3's second phase (the cluster's
//! identities against Keycloak's user ids) waits for step2.

use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::watch;

use super::{Step, run as run_step, step1, step2, step3};
use crate::context::Context;
use crate::reconcile::Report;

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
    /// The certificate phase is done: the CA exists (or, in a plan, is planned).
    CaReady,
    /// Finished; whether it succeeded, whether its certificate phase did, and whether
    /// Keycloak can be read (not when a plan would create it).
    Done {
        succeeded: bool,
        ca_ready: bool,
        keycloak_readable: bool,
    },
}

/// Runs every step; a failing step stops only the steps that need it.
pub async fn run(ctx: &Context) -> Vec<StepRun> {
    let lines = &Lines::new(ctx);
    let (tell, progress) = watch::channel(Progress::Running);
    // Whether step2 ended having read (and made) the users; `None` while it runs.
    let (tell_users, users_read) = watch::channel(None::<bool>);
    let one = async {
        let step_ctx = lines.start(ctx, Step::One);
        let (mut ca_ready, mut keycloak_readable) = (false, false);
        let run = timed(Step::One, async {
            let mut report = step_ctx.report();
            let material = step1::certificates(&step_ctx, &mut report).await?;
            ca_ready = true;
            let _ = tell.send(Progress::CaReady);
            keycloak_readable = step1::keycloak(&step_ctx, &material, &mut report).await?;
            Ok(report)
        })
        .await;
        lines.finish(&run);
        let _ = tell.send(Progress::Done {
            succeeded: run.succeeded(),
            ca_ready,
            keycloak_readable,
        });
        run
    };
    let two = async {
        let run = match step1_finished(progress.clone()).await {
            Progress::Done {
                succeeded: true,
                keycloak_readable: false,
                ..
            } => {
                // A plan cannot read a Keycloak that step1 has yet to start.
                let step_ctx = lines.start(ctx, Step::Two);
                let run = timed(Step::Two, step2::plan_on_new_keycloak(&step_ctx)).await;
                lines.finish(&run);
                let _ = tell_users.send(Some(false));
                return run;
            }
            Progress::Done {
                succeeded: true, ..
            } => on_line(lines, ctx, Step::Two).await,
            _ => skipped(lines, Step::Two),
        };
        let _ = tell_users.send(Some(run.succeeded()));
        run
    };
    let three = async {
        if !ca_ready(progress.clone()).await {
            return skipped(lines, Step::Three);
        }
        let step_ctx = lines.start(ctx, Step::Three);
        let run = timed(Step::Three, async {
            let mut report = step_ctx.report();
            step3::provider(&step_ctx, &mut report).await?;
            if step2_read_users(users_read.clone()).await {
                step3::identities(&step_ctx, &mut report).await?;
                step3::served(&step_ctx).await?;
            } else {
                step_ctx.ui.detail(
                    "OpenShift identities and the provider's rollout not checked: step2 did \
                     not read Keycloak's users",
                );
            }
            Ok(report)
        })
        .await;
        lines.finish(&run);
        run
    };
    let needs_ca = |step| {
        let progress = progress.clone();
        async move {
            if ca_ready(progress).await {
                on_line(lines, ctx, step).await
            } else {
                skipped(lines, step)
            }
        }
    };
    let (one, two, three, four, five) = tokio::join!(
        one,
        two,
        three,
        needs_ca(Step::Four),
        on_line(lines, ctx, Step::Five)
    );
    vec![one, two, three, four, five]
}

async fn step1_finished(mut progress: watch::Receiver<Progress>) -> Progress {
    let finished = progress
        .wait_for(|p| matches!(p, Progress::Done { .. }))
        .await;
    match finished {
        Ok(done) => *done,
        Err(_) => Progress::Done {
            succeeded: false,
            ca_ready: false,
            keycloak_readable: false,
        },
    }
}

/// Waits for step2; whether it read Keycloak's users.
async fn step2_read_users(mut users_read: watch::Receiver<Option<bool>>) -> bool {
    matches!(
        users_read.wait_for(Option::is_some).await.map(|read| *read),
        Ok(Some(true))
    )
}

/// Waits for step1's certificate phase; `false` when step1 ended without a CA.
async fn ca_ready(mut progress: watch::Receiver<Progress>) -> bool {
    let reached = progress
        .wait_for(|p| *p != Progress::Running)
        .await
        .map(|p| *p);
    matches!(
        reached,
        Ok(Progress::CaReady | Progress::Done { ca_ready: true, .. })
    )
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
