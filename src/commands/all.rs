//! `bridgectl all`: every step, then what to do next.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::context::Context;
use crate::output::{self, Output, ReportDocument};
use crate::steps::all::{self, StepEnd, StepRun};

/// `all`'s document: each step's report (or why it has none) in step order.
#[derive(Serialize)]
struct AllDocument<'a> {
    command: &'static str,
    plan: bool,
    /// Every step finished.
    ok: bool,
    changed: bool,
    steps: Vec<StepDocument<'a>>,
}

#[derive(Serialize)]
struct StepDocument<'a> {
    step: &'static str,
    /// done, failed or skipped.
    result: &'static str,
    seconds: f64,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    report: Option<ReportDocument<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The failed step a skipped one needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    needed: Option<&'static str>,
}

impl<'a> StepDocument<'a> {
    fn new(run: &'a StepRun) -> Self {
        let mut document = StepDocument {
            step: run.step.name(),
            result: "done",
            seconds: run.took.as_secs_f64(),
            report: None,
            error: None,
            needed: None,
        };
        match &run.end {
            StepEnd::Done(report) => {
                document.report = Some(ReportDocument::new(run.step.name(), report));
            }
            StepEnd::Failed(err) => {
                document.result = "failed";
                document.error = Some(format!("{err:#}"));
            }
            StepEnd::Skipped(needed) => {
                document.result = "skipped";
                document.needed = Some(needed.name());
            }
        }
        document
    }
}

pub async fn all(ctx: &Context, output: &Output) -> Result<ExitCode> {
    let runs = all::run(ctx).await;
    let failed: Vec<&str> = runs
        .iter()
        .filter(|run| !run.succeeded())
        .map(|run| run.step.name())
        .collect();
    let steps: Vec<StepDocument> = runs.iter().map(StepDocument::new).collect();
    let changed = steps
        .iter()
        .any(|step| step.report.as_ref().is_some_and(|r| r.changed));
    let document = AllDocument {
        command: "all",
        plan: ctx.gate.plans(),
        ok: failed.is_empty(),
        changed,
        steps,
    };
    output.print(&document, || table(ctx, &runs, failed.is_empty()))?;
    if !failed.is_empty() {
        eprintln!(
            "error: {} did not finish; fix the cause shown above and run `bridgectl all` again \
             (finished steps will report unchanged)",
            failed.join(", ")
        );
        return Ok(ExitCode::from(output::exit::ERROR));
    }
    Ok(output.exit_for(changed))
}

fn table(ctx: &Context, runs: &[StepRun], finished: bool) -> String {
    let mut text = String::new();
    for run in runs {
        text.push_str(&format!("{}\n", run.step.title()));
        match &run.end {
            StepEnd::Done(report) => text.push_str(&report.render()),
            StepEnd::Failed(err) => text.push_str(&format!("  ✖ failed: {err:#}\n")),
            StepEnd::Skipped(needed) => {
                text.push_str(&format!("  · skipped: {} failed\n", needed.name()));
            }
        }
    }
    if finished {
        text.push_str(&closing_summary(ctx));
    }
    text
}

fn closing_summary(ctx: &Context) -> String {
    let config = &ctx.config;
    let verb = ctx.gate.tense("is", "would be");
    let mut out = format!(
        "\nDemo app {verb} at {app}\nKeycloak {verb} at {kc} (realm {realm}; admin console {kc}/admin)\n",
        app = config.app_url(),
        kc = config.keycloak_url(),
        realm = config.keycloak.realm,
    );
    let users: Vec<String> = config
        .users
        .iter()
        .map(|user| {
            let projects: Vec<String> = user
                .projects
                .iter()
                .map(|grant| format!("{} {}", grant.role, grant.name))
                .collect();
            format!("- {}: {}", user.username, projects.join(", "))
        })
        .collect();
    out.push_str(&format!("Users:\n{}\n", users.join("\n")));
    out.push_str("Passwords: `bridgectl credentials`\n");
    out.push_str(ctx.gate.tense(
        "Next: `bridgectl verify` signs every user in through the app and checks their projects\n",
        "Next: `bridgectl all` to apply this plan\n",
    ));
    out
}
