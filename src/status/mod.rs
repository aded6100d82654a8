//! `bridgectl status`: one row per part of the chain, ✔ or ✖ with a reason and a hint.
//! It is the read-and-diff half of the steps (each step run as a dry run) plus live
//! probes of what a diff cannot see: whether Keycloak and the demo app answer.

mod probes;

use std::fmt::Write as _;

use serde::Serialize;

use crate::context::Context;
use crate::reconcile::{Outcome, Report};
use crate::steps::{self, Step};

#[derive(Debug, Serialize)]
pub struct Row {
    pub part: &'static str,
    pub ok: bool,
    pub reason: String,
    /// What to run or fix, for a ✖.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// The parts of the chain: a name, the step that makes it, the report kinds it covers.
const PARTS: [(&str, Step, &[&str]); 8] = [
    ("certificates", Step::One, &["certificate"]),
    ("Keycloak container", Step::One, &["container"]),
    ("Keycloak realm", Step::Two, &["realm"]),
    ("Keycloak clients", Step::Two, &["client"]),
    ("Keycloak users", Step::Two, &["user"]),
    (
        "OpenShift identity provider",
        Step::Three,
        &["identityprovider", "secret", "configmap"],
    ),
    ("OAuthClient", Step::Three, &["oauthclient"]),
    (
        "projects and bindings",
        Step::Five,
        &["project", "namespace", "rolebinding"],
    ),
];

/// Reads everything (never writes); `deep` also signs one user in and exchanges a token.
pub async fn collect(ctx: &Context, deep: bool) -> Vec<Row> {
    // Quiet dry runs: the plan is the status.
    let plan = Context {
        dry_run: true,
        ..ctx.with_ui(crate::ui::Ui::new(0, true))
    };
    let keycloak = probes::keycloak(ctx).await;
    let keycloak_up = keycloak.is_ok();
    let run = |step| steps::run(&plan, step);
    let (one, two, three, four, five, app) = tokio::join!(
        run(Step::One),
        async {
            // Without a Keycloak to read, there is nothing to compare; say so at once
            // rather than after the admin client's retries.
            if keycloak_up {
                run(Step::Two).await
            } else {
                Err(anyhow::anyhow!("cannot read it: Keycloak is not answering"))
            }
        },
        run(Step::Three),
        run(Step::Four),
        run(Step::Five),
        probes::app(ctx),
    );
    let result_of = |step| match step {
        Step::One => &one,
        Step::Two => &two,
        Step::Three => &three,
        Step::Four => &four,
        Step::Five => &five,
    };
    let mut rows: Vec<Row> = PARTS
        .iter()
        .map(|(part, step, kinds)| row_from_plan(part, *step, kinds, result_of(*step)))
        .collect();
    // The container row also needs Keycloak to answer.
    let container_row = rows.iter_mut().find(|row| row.part == "Keycloak container");
    if let (Some(row), Err(problem)) = (container_row, &keycloak)
        && row.ok
    {
        *row = failed("Keycloak container", problem.clone(), Step::One);
    }
    let mut app_row = row_from_plan("demo app", Step::Four, &["image", "container"], &four);
    if let (true, Err(problem)) = (app_row.ok, app) {
        app_row = failed("demo app", problem, Step::Four);
    }
    rows.push(app_row);
    for row in rows.iter_mut().filter(|row| row.ok) {
        if let Some(facts) = facts(ctx, row.part) {
            row.reason = format!("{}: {facts}", row.reason);
        }
    }
    if deep {
        rows.push(probes::token_exchange(ctx).await);
    }
    rows
}

/// ✔ when the step's plan leaves every object of these kinds unchanged.
fn row_from_plan(
    part: &'static str,
    step: Step,
    kinds: &[&str],
    plan: &anyhow::Result<Report>,
) -> Row {
    let report = match plan {
        Ok(report) => report,
        Err(err) => {
            let first_line = format!("{err:#}")
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            return failed(part, first_line, step);
        }
    };
    let mine: Vec<_> = report
        .changes
        .iter()
        .filter(|change| kinds.contains(&change.kind.as_str()))
        .collect();
    let off: Vec<String> = mine
        .iter()
        .filter(|change| change.outcome != Outcome::Unchanged)
        .map(|change| {
            let state = match change.outcome {
                Outcome::Created => "missing".to_string(),
                Outcome::Deleted => "left over".to_string(),
                _ => change
                    .details
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "differs".into()),
            };
            format!("{}/{}: {state}", change.kind, change.name)
        })
        .collect();
    if off.is_empty() {
        return Row {
            part,
            ok: true,
            reason: format!("{} as configured", count(mine.len(), "object")),
            hint: None,
        };
    }
    let mut reason = off[..off.len().min(2)].join("; ");
    if off.len() > 2 {
        let _ = write!(reason, "; and {} more", off.len() - 2);
    }
    failed(part, reason, step)
}

/// What a ✔ row vouches for, in the terms the seed uses.
fn facts(ctx: &Context, part: &str) -> Option<String> {
    let config = &ctx.config;
    let kc = &config.keycloak;
    Some(match part {
        "certificates" => {
            let pem = ctx.state.read(crate::tls::SERVER_CERT).ok()??;
            let info = crate::tls::inspect(&String::from_utf8_lossy(&pem)).ok()?;
            let days = (info.not_after - time::OffsetDateTime::now_utc()).whole_days();
            let names: Vec<&str> = info.names.iter().map(String::as_str).collect();
            format!(
                "server certificate valid {days} more days, for {}",
                names.join(", ")
            )
        }
        "Keycloak container" => format!("running, answers at {}", config.keycloak_url()),
        "Keycloak clients" => format!(
            "{} accepts standard token exchange; {} tokens carry it in their audience",
            kc.ocp_client_id, kc.app_client_id
        ),
        "OpenShift identity provider" => format!(
            "{} with issuer {} and bridgectl's CA",
            config.openshift.idp_name,
            config.issuer_url()
        ),
        "OAuthClient" => format!(
            "{} redirects to {}/callback/ocp",
            config.openshift.oauth_client_name,
            config.app_url()
        ),
        "demo app" => format!("running, /health answers at {}", config.app_url()),
        _ => return None,
    })
}

fn failed(part: &'static str, reason: String, step: Step) -> Row {
    Row {
        part,
        ok: false,
        reason,
        hint: Some(format!(
            "run `bridgectl {}` (or `bridgectl all`)",
            step.name()
        )),
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn render(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.part.len()).max().unwrap_or(0);
    let mut out = String::new();
    for row in rows {
        let mark = if row.ok { "✔" } else { "✖" };
        let _ = writeln!(out, "{mark} {:width$}  {}", row.part, row.reason);
        if let Some(hint) = &row.hint {
            let _ = writeln!(out, "  {:width$}  ↳ {hint}", "");
        }
    }
    out
}
