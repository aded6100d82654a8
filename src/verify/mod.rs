//! `bridgectl verify`: the seed's verification matrix (section 8.1), replayed through the
//! deployed demo app for every configured user, the way a person with a browser would.

pub mod page;
mod visitor;

use std::fmt::Write as _;

use anyhow::Result;
use futures_util::future::join_all;

use crate::config::User;
use crate::context::Context;
use crate::state::names;
use visitor::Visitor;

/// One user's line of the matrix. A check is `None` when an earlier one failed.
#[derive(Debug, serde::Serialize)]
pub struct Row {
    pub user: String,
    pub login: Option<bool>,
    pub token_exchange: Option<bool>,
    pub ocp_token: Option<bool>,
    pub api_result: Option<bool>,
    pub seen: Vec<String>,
    pub expected: Vec<String>,
    /// Why the first failed check failed.
    pub problem: Option<String>,
}

impl Row {
    pub fn passed(&self) -> bool {
        self.problem.is_none() && self.seen == self.expected
    }
}

/// Replays the flow for `users`, concurrently (each with its own cookie jar).
pub async fn run(ctx: &Context, users: &[User]) -> Result<Vec<Row>> {
    let upstreams = ctx.upstreams().await?;
    let app_url = ctx.config.app_url();
    let mut visits = Vec::new();
    for user in users {
        let password = ctx.state.secret_or(
            &names::user_password(&user.username),
            user.password.as_deref(),
        )?;
        let mut expected: Vec<String> = user.projects.iter().map(|p| p.name.clone()).collect();
        expected.sort();
        expected.dedup();
        let visitor = Visitor::new(&upstreams.ca_bundle)?;
        let app_url = app_url.clone();
        let ocp_client = ctx.config.keycloak.ocp_client_id.clone();
        visits.push(async move {
            let mut row = Row {
                user: user.username.clone(),
                login: None,
                token_exchange: None,
                ocp_token: None,
                api_result: None,
                seen: vec![],
                expected,
                problem: None,
            };
            if let Err(problem) =
                walk(&visitor, &app_url, &ocp_client, password.expose(), &mut row).await
            {
                row.problem = Some(problem);
            }
            // Leave no session behind, whatever happened.
            let _ = visitor.get(&format!("{app_url}/logout")).await;
            row
        });
    }
    Ok(join_all(visits).await)
}

/// The person's path; stops at the first check that fails, with the reason.
async fn walk(
    visitor: &Visitor,
    app_url: &str,
    ocp_client: &str,
    password: &str,
    row: &mut Row,
) -> Result<(), String> {
    let fail = |what: &str, html: &str| -> String {
        let reason = page::error_message(html).unwrap_or_else(|| page::excerpt(html));
        format!("{what}: {reason}")
    };
    let signed_in = match visitor.sign_in(app_url, &row.user, password).await {
        Ok(landed) => landed,
        Err(err) => {
            row.login = Some(false);
            return Err(format!("login: {err:#}"));
        }
    };
    row.login = Some(page::has_id(&signed_in.html, "call-ocp-api"));
    if row.login != Some(true) {
        return Err(fail("login", &signed_in.html));
    }

    let done = visitor
        .get(&format!("{app_url}/call-ocp-api"))
        .await
        .map_err(|err| format!("call OCP API: {err:#}"))?;
    let html = &done.html;
    let azp = page::text_of(html, "exchanged-azp");
    row.token_exchange = Some(azp.as_deref() == Some(ocp_client));
    if row.token_exchange != Some(true) {
        return Err(match azp {
            Some(other) => format!("token exchange: azp is {other}, expected {ocp_client}"),
            None => fail("token exchange", html),
        });
    }
    row.ocp_token = Some(page::text_of(html, "ocp-token-prefix").is_some_and(|t| !t.is_empty()));
    if row.ocp_token != Some(true) {
        return Err(fail("OpenShift token", html));
    }
    row.api_result = Some(page::has_id(html, "step-2c") && page::error_message(html).is_none());
    if row.api_result != Some(true) {
        return Err(fail("OpenShift API", html));
    }
    let mut seen = page::projects(html);
    seen.sort();
    row.seen = seen;
    Ok(())
}

/// The matrix as the seed prints it, with the reason under any failing row.
pub fn render(rows: &[Row]) -> String {
    let mark = |check: Option<bool>| match check {
        Some(true) => "✔",
        Some(false) => "✖",
        None => "·",
    };
    let width = rows.iter().map(|r| r.user.len()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:width$}  Login  Token Exchange  OCP Token  API Result  Projects",
        "User"
    );
    for row in rows {
        let projects_mark = if row.api_result == Some(true) {
            mark(Some(row.seen == row.expected))
        } else {
            mark(None)
        };
        let _ = writeln!(
            out,
            "{:width$}  {:5}  {:14}  {:9}  {:10}  {} {}",
            row.user,
            mark(row.login),
            mark(row.token_exchange),
            mark(row.ocp_token),
            mark(row.api_result),
            projects_mark,
            describe_projects(row),
        );
        if let Some(problem) = &row.problem {
            let _ = writeln!(out, "{:width$}  ↳ {problem}", "");
        }
    }
    out
}

fn describe_projects(row: &Row) -> String {
    let list = |names: &[String]| {
        if names.is_empty() {
            "(none)".to_string()
        } else {
            names.join(", ")
        }
    };
    if row.api_result != Some(true) || row.seen == row.expected {
        return list(&row.expected);
    }
    format!("saw {}; expected {}", list(&row.seen), list(&row.expected))
}
