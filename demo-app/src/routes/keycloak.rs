//! Step 1: sign-in with Keycloak (`/login`, `/callback/keycloak`) and `/logout`.

use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

use super::context::{Ctx, accept_callback};
use super::respond::{expired_session_cookie, page, problem_page, redirect, session_cookie};
use crate::app::App;
use crate::claims;
use crate::errors::{Flow, Problem};
use crate::log;
use crate::pages::Body;
use crate::pending::Pending;
use crate::session::FlowSlot;

/// Stores a new pending sign-in (state, nonce, PKCE verifier) and sends the browser to
/// Keycloak's authorization endpoint.
pub async fn login(app: &App, parts: &Parts) -> Response {
    let ctx = Ctx::new(app, parts);
    // Discovery first: when Keycloak is unreachable, no session is created for nothing.
    let d = match app.keycloak.discovery().await {
        Ok(d) => d,
        Err(p) => return problem_page(app, &ctx, p),
    };
    let pending = Pending::new(true);
    let location = app.keycloak.authorize_url(&d, &pending);
    let mut cookies = Vec::new();
    let stored = ctx.session.and_then(|id| {
        app.sessions
            .with(id, |s| s.keycloak_flow.pending = Some(pending.clone()))
    });
    if stored.is_none() {
        let id = app.sessions.create();
        app.sessions
            .with(id, |s| s.keycloak_flow.pending = Some(pending));
        cookies.push(session_cookie(app, id));
    }
    redirect(app, &ctx, &location, &cookies)
}

pub async fn callback(app: &App, parts: &Parts) -> Response {
    let ctx = Ctx::new(app, parts);
    match sign_in(app, &ctx, parts).await {
        Ok(response) => response,
        Err(problem) => problem_page(app, &ctx, problem),
    }
}

async fn sign_in(app: &App, ctx: &Ctx, parts: &Parts) -> Result<Response, Problem> {
    let flow = Flow::Keycloak;
    let (pending, code) = accept_callback(app, ctx, parts, flow)?;
    let id = ctx.session.ok_or(Problem::SignInExpired(flow))?;

    let d = app.keycloak.discovery().await?;
    let tokens = app
        .keycloak
        .redeem_code(&d, &code, &pending.verifier)
        .await?;
    let id_claims = app
        .keycloak
        .verify_id_token(&d, &tokens.id_token, pending.nonce.as_deref())
        .await?;

    // The access token is shown decoded; it is not this app's to verify (its audience
    // is the resource servers), and the ID token above proved the sign-in.
    let mut summary = claims::decode_unverified(tokens.access_token.expose())
        .map(|c| claims::summarize(&c))
        .unwrap_or_default();
    if summary.sub.is_empty() {
        summary.sub = claims::truncate(&id_claims.sub, 512);
    }
    if summary.preferred_username.is_empty() {
        summary.preferred_username =
            claims::truncate(id_claims.preferred_username.as_deref().unwrap_or(""), 512);
    }
    let user = summary.preferred_username.clone();
    app.sessions
        .with(id, |s| {
            s.kc_access_token = Some(tokens.access_token);
            s.kc_claims = Some(summary);
            // A new sign-in starts the demonstration over.
            s.exchanged = None;
            s.ocp = None;
            s.openshift_flow = FlowSlot::default();
        })
        .ok_or(Problem::SignInExpired(flow))?;
    let new_id = app
        .sessions
        .rotate(id)
        .ok_or(Problem::SignInExpired(flow))?;
    log::info("signed in with Keycloak", &[("user", (&user).into())]);
    Ok(redirect(app, ctx, "/", &[session_cookie(app, new_id)]))
}

/// Ends the app session and sends the browser to Keycloak's sign-out page.
pub async fn logout(app: &App, parts: &Parts) -> Response {
    let mut ctx = Ctx::new(app, parts);
    if let Some(id) = ctx.session.take() {
        app.sessions.remove(id);
        log::info("signed out", &[]);
    }
    let expire = expired_session_cookie(app);
    match app.keycloak.end_session_url().await {
        Ok(Some(url)) => redirect(app, &ctx, &url, &[expire]),
        Ok(None) => redirect(app, &ctx, "/", &[expire]),
        Err(problem) => {
            let problem = Problem::LogoutIncomplete(Box::new(problem));
            let status = StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut response = page(app, &ctx, status, Body::SignedOut, Some(&problem));
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, expire);
            response
        }
    }
}
