//! The responses every route builds: the HTML page (with its security headers), the
//! page for a problem, the 303 redirect, and the cookies they set.

use axum::body::Body as HttpBody;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::context::{Ctx, LANG_COOKIE};
use crate::app::App;
use crate::errors::Problem;
use crate::log;
use crate::pages::{self, Body, Page};
use crate::session::{COOKIE_NAME, SessionId};

pub(super) fn html_response(app: &App, status: StatusCode, body: HttpBody) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, app.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Callback addresses carry codes; no page should pass its address on.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// A full page in the request's language.
pub(crate) fn page(
    app: &App,
    ctx: &Ctx,
    status: StatusCode,
    body: Body<'_>,
    problem: Option<&Problem>,
) -> Response {
    let html = pages::render(&Page {
        lang: ctx.lang,
        body,
        problem,
        tls_warning: !app.settings.tls_verify,
    });
    let mut response = html_response(app, status, HttpBody::from(html));
    add_lang_cookie(app, ctx, response.headers_mut());
    response
}

/// The page for a problem: the message above whatever the session shows.
pub(crate) fn problem_page(app: &App, ctx: &Ctx, problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::BAD_GATEWAY);
    let level = match status.as_u16() {
        404 | 405 | 414 => log::Level::Debug,
        400..=499 => log::Level::Info,
        _ => log::Level::Warn,
    };
    log::log(
        level,
        "request refused",
        &[
            ("problem", problem.kind().into()),
            ("status", status.as_u16().into()),
        ],
    );
    if matches!(
        problem,
        Problem::NotFound | Problem::MethodNotAllowed | Problem::QueryTooLong { .. }
    ) {
        return page(app, ctx, status, Body::Bare, Some(&problem));
    }
    let view = ctx
        .session
        .and_then(|id| app.sessions.with(id, |s| s.view()));
    let body = match &view {
        Some(v) => Body::Session(v),
        None => Body::SignedOut,
    };
    page(app, ctx, status, body, Some(&problem))
}

/// 303 to `location`, with cookies to set.
pub(crate) fn redirect(app: &App, ctx: &Ctx, location: &str, cookies: &[HeaderValue]) -> Response {
    let mut response = Response::new(HttpBody::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    let h = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(v) => {
            h.insert(header::LOCATION, v);
        }
        Err(_) => {
            // Only URLs built by `url::Url` get here, which never hold control bytes.
            h.insert(header::LOCATION, HeaderValue::from_static("/"));
        }
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    for cookie in cookies {
        h.append(header::SET_COOKIE, cookie.clone());
    }
    add_lang_cookie(app, ctx, h);
    response
}

fn cookie_attributes(app: &App) -> &'static str {
    if app.settings.external_https() {
        "; Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Lax"
    }
}

pub(crate) fn session_cookie(app: &App, id: SessionId) -> HeaderValue {
    let value = format!(
        "{COOKIE_NAME}={}{}",
        app.sessions.cookie_value(id),
        cookie_attributes(app)
    );
    HeaderValue::from_str(&value).expect("base64url and ASCII attributes")
}

pub(crate) fn expired_session_cookie(app: &App) -> HeaderValue {
    let value = format!("{COOKIE_NAME}=; Max-Age=0{}", cookie_attributes(app));
    HeaderValue::from_str(&value).expect("ASCII")
}

pub(super) fn add_lang_cookie(app: &App, ctx: &Ctx, headers: &mut HeaderMap) {
    if !ctx.lang_from_query {
        return;
    }
    let value = format!(
        "{LANG_COOKIE}={}; Max-Age=31536000{}",
        ctx.lang.code(),
        cookie_attributes(app)
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.append(header::SET_COOKIE, v);
    }
}
