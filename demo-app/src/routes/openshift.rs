//! Step 2: `/call-ocp-api` (2a token exchange, then 2b the redirect to OpenShift's OAuth
//! server) and `/callback/ocp` (the OpenShift token, then 2c the API calls).

use axum::http::request::Parts;
use axum::response::Response;

use super::context::{Ctx, accept_callback};
use super::respond::{problem_page, redirect};
use crate::app::App;
use crate::errors::{Flow, Problem};
use crate::exchange;
use crate::log;
use crate::openshift::{OcpResult, token_prefix};
use crate::pending::Pending;

pub async fn call_ocp_api(app: &App, parts: &Parts) -> Response {
    let ctx = Ctx::new(app, parts);
    match exchange_and_redirect(app, &ctx).await {
        Ok(response) => response,
        Err(problem) => problem_page(app, &ctx, problem),
    }
}

async fn exchange_and_redirect(app: &App, ctx: &Ctx) -> Result<Response, Problem> {
    let id = ctx.session.ok_or(Problem::NotSignedIn)?;
    let (token, user) = app
        .sessions
        .with(id, |s| {
            let user = s
                .kc_claims
                .as_ref()
                .map(|c| c.preferred_username.clone())
                .unwrap_or_default();
            s.kc_access_token.clone().map(|t| (t, user))
        })
        .flatten()
        .ok_or(Problem::NotSignedIn)?;
    // Find OpenShift's OAuth server before spending the single-use Keycloak token.
    let endpoints = app.openshift.endpoints().await?;
    let d = app.keycloak.discovery().await?;
    let summary = exchange::exchange(&app.keycloak, &d, &token).await?;
    drop(token);
    log::info(
        "token exchanged",
        &[
            ("user", (&user).into()),
            ("audience", (&app.settings.kc_ocp_client_id).into()),
        ],
    );

    let pending = Pending::new(false);
    let location = app.openshift.authorize_url(&endpoints, &pending)?;
    app.sessions
        .with(id, |s| {
            // The exchange succeeded: the Keycloak token has served its purpose.
            s.kc_access_token = None;
            s.exchanged = Some(summary);
            s.ocp = None;
            s.openshift_flow.pending = Some(pending);
        })
        .ok_or(Problem::SignInExpired(Flow::Keycloak))?;
    Ok(redirect(app, ctx, &location, &[]))
}

pub async fn callback(app: &App, parts: &Parts) -> Response {
    let ctx = Ctx::new(app, parts);
    match finish(app, &ctx, parts).await {
        Ok(response) => response,
        Err(problem) => problem_page(app, &ctx, problem),
    }
}

async fn finish(app: &App, ctx: &Ctx, parts: &Parts) -> Result<Response, Problem> {
    let flow = Flow::OpenShift;
    let (pending, code) = accept_callback(app, ctx, parts, flow)?;
    let id = ctx.session.ok_or(Problem::SignInExpired(flow))?;

    let endpoints = app.openshift.endpoints().await?;
    let token = app
        .openshift
        .redeem_code(&endpoints, &code, &pending.verifier)
        .await?;
    let (user, projects) = tokio::join!(app.openshift.user(&token), app.openshift.projects(&token));
    let prefix = token_prefix(&token);
    // Only the prefix is kept; the token itself ends here.
    drop(token);

    let problem = user.as_ref().err().or(projects.as_ref().err()).cloned();
    let name = user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    let count = projects.as_ref().map_or(0, |p| p.len() as u64);
    let result = OcpResult {
        token_prefix: prefix,
        user: user.ok(),
        projects: projects.ok(),
        api_calls: vec![
            format!("GET {}", app.openshift.user_url()),
            format!("GET {}", app.openshift.projects_url()),
        ],
    };
    app.sessions
        .with(id, |s| s.ocp = Some(result))
        .ok_or(Problem::SignInExpired(flow))?;
    // Partial results stay on the page under the message.
    if let Some(problem) = problem {
        return Err(problem);
    }
    log::info(
        "OpenShift API called as the user",
        &[("user", (&name).into()), ("projects", count.into())],
    );
    Ok(redirect(app, ctx, "/", &[]))
}
