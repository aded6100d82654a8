//! Routing and what every request shares: the request context (language, session),
//! size limits, the panic safety net, metrics, and the page/redirect responses.

mod keycloak;
mod openshift;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;

use axum::Router;
use axum::body::Body as HttpBody;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use crate::app::App;
use crate::claims::truncate;
use crate::errors::{Flow, Problem};
use crate::log;
use crate::metrics::Route;
use crate::pages::{self, Body, Lang, Page};
use crate::pending::Pending;
use crate::session::{COOKIE_NAME, SessionId, StateCheck};

/// Longer query strings are refused (414) before anything parses them.
pub const MAX_QUERY: usize = 4096;
pub const MAX_CODE: usize = 2048;
pub const MAX_STATE: usize = 512;
const LANG_COOKIE: &str = "lang";

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(dispatch).with_state(app)
}

/// One entry point: the route label is known before the handler runs, so metrics,
/// limits and the panic net apply to every path alike.
async fn dispatch(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let route = Route::from_path(parts.uri.path());
    let response = if parts.method != Method::GET && parts.method != Method::HEAD {
        let mut r = problem_page(
            &app,
            &Ctx::without_query(&app, &parts),
            Problem::MethodNotAllowed,
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    } else if parts.uri.query().map_or(0, str::len) > MAX_QUERY {
        problem_page(
            &app,
            &Ctx::without_query(&app, &parts),
            Problem::QueryTooLong { max: MAX_QUERY },
        )
    } else {
        match catch_unwind(handle(&app, route, &parts)).await {
            Ok(response) => response,
            Err(_) => {
                app.metrics.panic();
                log::error("handler panicked", &[("route", route.label().into())]);
                problem_page(&app, &Ctx::without_query(&app, &parts), Problem::Internal)
            }
        }
    };
    app.metrics.request(route, response.status().as_u16());
    response
}

async fn handle(app: &App, route: Route, parts: &Parts) -> Response {
    match route {
        Route::Index => index(app, parts),
        Route::Health => health(),
        Route::Metrics => metrics(app),
        Route::Login => keycloak::login(app, parts).await,
        Route::KeycloakCallback => keycloak::callback(app, parts).await,
        Route::Logout => keycloak::logout(app, parts).await,
        Route::CallOcpApi => openshift::call_ocp_api(app, parts).await,
        Route::OcpCallback => openshift::callback(app, parts).await,
        Route::Other => problem_page(app, &Ctx::new(app, parts), Problem::NotFound),
    }
}

/// Polls a future inside `catch_unwind`, so a bug answers with a page instead of a
/// dropped connection. No allocation: the future stays pinned on this stack frame.
async fn catch_unwind<F: Future>(future: F) -> Result<F::Output, Box<dyn Any + Send>> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    })
    .await
}

/// The request's language and session.
pub(crate) struct Ctx {
    pub lang: Lang,
    /// Set when `?lang=` chose the language, to remember it in a cookie.
    pub lang_from_query: bool,
    /// A session cookie with a valid signature (the session may still have expired).
    pub session: Option<SessionId>,
    /// Any session cookie was sent (valid or not), so a dead one can be expired.
    pub sent_session_cookie: bool,
}

impl Ctx {
    pub fn new(app: &App, parts: &Parts) -> Ctx {
        let mut ctx = Ctx::without_query(app, parts);
        if let Some(lang) = parts
            .uri
            .query()
            .and_then(|q| query_param(q, "lang"))
            .and_then(|v| Lang::from_code(&v))
        {
            ctx.lang = lang;
            ctx.lang_from_query = true;
        }
        ctx
    }

    fn without_query(app: &App, parts: &Parts) -> Ctx {
        let cookies = RequestCookies::of(&parts.headers);
        let session_cookie = cookies.session;
        let lang = cookies
            .lang
            .and_then(Lang::from_code)
            .or_else(|| {
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_accept_language)
            })
            .unwrap_or(Lang::En);
        Ctx {
            lang,
            lang_from_query: false,
            session: session_cookie.and_then(|v| app.sessions.verify_cookie(v)),
            sent_session_cookie: session_cookie.is_some(),
        }
    }
}

/// The app's two cookies in a request's `Cookie` headers: the first of each name counts;
/// a header that is not visible ASCII is skipped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RequestCookies<'a> {
    /// The raw `demo_session` value (its signature is not checked here).
    pub session: Option<&'a str>,
    pub lang: Option<&'a str>,
}

impl<'a> RequestCookies<'a> {
    pub fn of(headers: &'a HeaderMap) -> RequestCookies<'a> {
        let mut cookies = RequestCookies::default();
        for value in headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for pair in value.split(';') {
                match pair.trim().split_once('=') {
                    Some((COOKIE_NAME, v)) if cookies.session.is_none() => {
                        cookies.session = Some(v)
                    }
                    Some((LANG_COOKIE, v)) if cookies.lang.is_none() => cookies.lang = Some(v),
                    _ => {}
                }
            }
        }
        cookies
    }
}

/// The first value of `name` in a query string, decoded.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The checks every authorization response passes, in this order: a session with a
/// pending flow, the state (the pending flow is consumed on first use, so a replay is
/// refused), then what the provider said. Returns the pending flow and the code.
pub(crate) fn accept_callback(
    app: &App,
    ctx: &Ctx,
    parts: &Parts,
    flow: Flow,
) -> Result<(Pending, String), Problem> {
    let params = CallbackParams::parse(parts.uri.query())?;
    let id = ctx.session.ok_or(Problem::SignInExpired(flow))?;
    let pending = app
        .sessions
        .with(id, |s| {
            let slot = match flow {
                Flow::Keycloak => &mut s.keycloak_flow,
                Flow::OpenShift => &mut s.openshift_flow,
            };
            slot.consume(params.state.as_deref())
        })
        .ok_or(Problem::SignInExpired(flow))?
        .map_err(|check| match check {
            StateCheck::NoPending => Problem::SignInExpired(flow),
            StateCheck::Mismatch => Problem::StateMismatch(flow),
            StateCheck::AlreadyUsed => Problem::AlreadyUsed(flow),
        })?;
    if let Some(error) = params.error {
        return Err(Problem::ProviderError {
            flow,
            error,
            description: params.error_description.unwrap_or_default(),
        });
    }
    let code = params.code.ok_or(Problem::MissingCode(flow))?;
    Ok((pending, code))
}

/// The parameters of an authorization response (RFC 6749 4.1.2), bounded.
#[derive(Debug, Default)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl CallbackParams {
    pub fn parse(query: Option<&str>) -> Result<CallbackParams, Problem> {
        let mut p = CallbackParams::default();
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if value.is_empty() {
                continue;
            }
            let slot = match key.as_ref() {
                "code" if value.len() > MAX_CODE => {
                    return Err(Problem::ParamTooLong {
                        name: "code",
                        max: MAX_CODE,
                    });
                }
                "state" if value.len() > MAX_STATE => {
                    return Err(Problem::ParamTooLong {
                        name: "state",
                        max: MAX_STATE,
                    });
                }
                "code" => &mut p.code,
                "state" => &mut p.state,
                "error" => &mut p.error,
                "error_description" => &mut p.error_description,
                _ => continue,
            };
            // The first occurrence wins; provider texts are cut for display.
            if slot.is_none() {
                *slot = Some(match key.as_ref() {
                    "error" => truncate(&value, 100),
                    "error_description" => truncate(&value, 300),
                    _ => value.into_owned(),
                });
            }
        }
        Ok(p)
    }
}

fn index(app: &App, parts: &Parts) -> Response {
    let ctx = Ctx::new(app, parts);
    if let Some(view) = ctx
        .session
        .and_then(|id| app.sessions.with(id, |s| s.view()))
    {
        return page(app, &ctx, StatusCode::OK, Body::Session(&view), None);
    }
    let mut response = html_response(
        app,
        StatusCode::OK,
        HttpBody::from(app.signed_out_page(ctx.lang)),
    );
    let headers = response.headers_mut();
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    add_lang_cookie(app, &ctx, headers);
    if ctx.sent_session_cookie {
        // A forged, tampered or expired session: drop the cookie too.
        headers.append(header::SET_COOKIE, expired_session_cookie(app));
    }
    response
}

fn health() -> Response {
    let mut response = Response::new(HttpBody::from(r#"{"status":"ok"}"#));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn metrics(app: &App) -> Response {
    let mut response = Response::new(HttpBody::from(app.metrics.render(app.sessions.len())));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

fn html_response(app: &App, status: StatusCode, body: HttpBody) -> Response {
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

fn add_lang_cookie(app: &App, ctx: &Ctx, headers: &mut HeaderMap) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_params_limits() {
        let p = CallbackParams::parse(Some("code=abc&state=xyz&state=other&foo=1")).unwrap();
        assert_eq!(p.code.as_deref(), Some("abc"));
        assert_eq!(p.state.as_deref(), Some("xyz"));
        let long_state = format!("state={}", "a".repeat(MAX_STATE + 1));
        assert_eq!(
            CallbackParams::parse(Some(&long_state)).unwrap_err(),
            Problem::ParamTooLong {
                name: "state",
                max: MAX_STATE
            }
        );
        let long_code = format!("code={}", "a".repeat(MAX_CODE + 1));
        assert!(CallbackParams::parse(Some(&long_code)).is_err());
        let p = CallbackParams::parse(Some(&format!("error_description={}", "x".repeat(1000))))
            .unwrap();
        assert!(p.error_description.unwrap().len() < 310);
    }

    #[test]
    fn request_cookies_first_of_each_wins() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_bytes(b"demo_session=\xff").unwrap(),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; demo_session=one; lang=en"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("demo_session=two;lang=zh-TW"),
        );
        let c = RequestCookies::of(&headers);
        assert_eq!((c.session, c.lang), (Some("one"), Some("en")));
        assert_eq!(
            RequestCookies::of(&HeaderMap::new()),
            RequestCookies::default()
        );
    }

    #[tokio::test]
    async fn catch_unwind_turns_a_panic_into_an_error() {
        let ok = catch_unwind(async { 7 }).await;
        assert_eq!(ok.unwrap(), 7);
        let caught = catch_unwind(async {
            tokio::task::yield_now().await;
            if std::hint::black_box(true) {
                panic!("boom");
            }
            1
        })
        .await;
        assert!(caught.is_err());
    }
}
