//! `bridgectl all`: every step, then what to do next.

use std::process::ExitCode;

use crate::context::Context;
use crate::steps::all::{self, StepEnd};
use crate::ui::out;

pub async fn all(ctx: &Context) -> ExitCode {
    let runs = all::run(ctx).await;
    for run in &runs {
        out(format!("{}\n", run.step.title()));
        match &run.end {
            StepEnd::Done(report) => out(report.render()),
            StepEnd::Failed(err) => out(format!("  ✖ failed: {err:#}\n")),
            StepEnd::Skipped(needed) => out(format!("  · skipped: {} failed\n", needed.name())),
        }
    }
    let failed: Vec<&str> = runs
        .iter()
        .filter(|run| !run.succeeded())
        .map(|run| run.step.name())
        .collect();
    if !failed.is_empty() {
        eprintln!(
            "error: {} did not finish; fix the cause shown above and run `bridgectl all` again \
             (finished steps will report unchanged)",
            failed.join(", ")
        );
        return ExitCode::FAILURE;
    }
    out(closing_summary(ctx));
    ExitCode::SUCCESS
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
