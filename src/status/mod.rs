//! `bridgectl status`: one row per part of the chain, ✔ or ✖ with a reason and a hint.
//! It is the read-and-diff half of the steps (each step run as a dry run) plus live
//! probes of what a diff cannot see: whether Keycloak and the demo app answer.

mod part;
mod probes;
mod row;

use std::fmt::Write as _;

use futures_util::FutureExt;

pub use part::Part;
pub use row::Row;

use crate::context::Context;
use crate::reconcile::{Outcome, Report};
use crate::steps::{self, Step};

/// Reads everything (never writes); `deep` also signs one user in and exchanges a token.
pub async fn collect(ctx: &Context, deep: bool) -> Vec<Row> {
    // Quiet plans, sharing the run's connections: the plan is the status.
    let plan = ctx.planning(crate::ui::Ui::new(0, true));
    // Everything at once: the live probes, the five plans and the rollout. A Keycloak
    // probe that fails stops step2's plan, to say at once that there is nothing to compare
    // rather than after the admin client's retries.
    let keycloak = probes::keycloak(ctx).shared();
    let run = |step| steps::run(&plan, step);
    let (keycloak, app, rollout, one, two, three, four, five) = tokio::join!(
        keycloak.clone(),
        probes::app(ctx),
        probes::rollout(&plan),
        run(Step::One),
        async {
            let plan = run(Step::Two);
            tokio::pin!(plan);
            tokio::select! {
                done = &mut plan => done,
                answered = keycloak.clone() => match answered {
                    Ok(()) => plan.await,
                    Err(_) => Err(anyhow::anyhow!("cannot read it: Keycloak is not answering")),
                },
            }
        },
        run(Step::Three),
        run(Step::Four),
        run(Step::Five),
    );
    let result_of = |step| match step {
        Step::One => &one,
        Step::Two => &two,
        Step::Three => &three,
        Step::Four => &four,
        Step::Five => &five,
    };
    let mut rows: Vec<Row> = Part::FROM_PLANS
        .iter()
        .map(|part| row_from_plan(*part, result_of(part.step())))
        .collect();
    // The container rows also need their servers to answer.
    for row in rows.iter_mut().filter(|row| row.ok) {
        let problem = match row.part {
            Part::KeycloakContainer => keycloak.as_ref().err(),
            Part::DemoApp => app.as_ref().err(),
            _ => None,
        };
        if let Some(problem) = problem {
            *row = failed(row.part, problem.clone());
        }
    }
    // A provider the cluster is still rolling out is neither done nor broken.
    if let Some(row) = rows
        .iter_mut()
        .find(|row| row.ok && row.part == Part::IdentityProvider)
        && let Some(why) = rollout
    {
        row.rolling_out = true;
        row.reason = format!("rolling out: {why}");
        row.hint = Some("wait, or run `bridgectl step3`, which waits for it".into());
    }
    for row in rows.iter_mut().filter(|row| row.ok && !row.rolling_out) {
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
fn row_from_plan(part: Part, plan: &anyhow::Result<Report>) -> Row {
    let report = match plan {
        Ok(report) => report,
        Err(err) => {
            let first_line = format!("{err:#}")
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            return failed(part, first_line);
        }
    };
    let mine: Vec<_> = report.of_kinds(part.kinds()).collect();
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
            rolling_out: false,
            reason: format!("{} as configured", count(mine.len(), "object")),
            hint: None,
        };
    }
    let mut reason = off[..off.len().min(2)].join("; ");
    if off.len() > 2 {
        let _ = write!(reason, "; and {} more", off.len() - 2);
    }
    failed(part, reason)
}

/// What a ✔ row vouches for, in the terms the seed uses.
fn facts(ctx: &Context, part: Part) -> Option<String> {
    let config = &ctx.config;
    let kc = &config.keycloak;
    Some(match part {
        Part::Certificates => {
            let pem = ctx.state.read(crate::tls::SERVER_CERT).ok()??;
            let info = crate::tls::inspect(&String::from_utf8_lossy(&pem)).ok()?;
            let days = (info.not_after - time::OffsetDateTime::now_utc()).whole_days();
            let names: Vec<&str> = info.names.iter().map(String::as_str).collect();
            format!(
                "server certificate valid {days} more days, for {}",
                names.join(", ")
            )
        }
        Part::KeycloakContainer => format!(
            "running, answers at {}, keeps its data on volume {}",
            config.keycloak_url(),
            crate::keycloak::server::data_volume(config).name
        ),
        Part::KeycloakClients => format!(
            "{} accepts standard token exchange; {} tokens carry it in their audience",
            kc.ocp_client_id, kc.app_client_id
        ),
        Part::IdentityProvider => format!(
            "{} with issuer {} and bridgectl's CA",
            config.openshift.idp_name,
            config.issuer_url()
        ),
        Part::OAuthClient => format!(
            "{} redirects to {}",
            config.openshift.oauth_client_name,
            config.app_callback_uris("ocp")[0]
        ),
        Part::DemoApp => format!("running, /health answers at {}", config.app_url()),
        _ => return None,
    })
}

fn failed(part: Part, reason: String) -> Row {
    Row {
        part,
        ok: false,
        rolling_out: false,
        reason,
        hint: Some(format!(
            "run `bridgectl {}` (or `bridgectl all`)",
            part.step().name()
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
    let width = rows.iter().map(|r| r.part.label().len()).max().unwrap_or(0);
    let mut out = String::new();
    for row in rows {
        let mark = match (row.ok, row.rolling_out) {
            (true, false) => "✔",
            (true, true) => "◌",
            (false, _) => "✖",
        };
        let _ = writeln!(out, "{mark} {:width$}  {}", row.part.label(), row.reason);
        if let Some(hint) = &row.hint {
            let _ = writeln!(out, "  {:width$}  ↳ {hint}", "");
        }
    }
    out
}
