//! Routing and what every request passes through: dispatch, size limits, the panic
//! safety net, metrics; and the routes that need no provider (`/`, `/health`,
//! `/metrics`). The request context is in `context.rs`, the responses in `respond.rs`;
//! the sign-in routes in `keycloak.rs` and `openshift.rs`.

mod context;
mod keycloak;
mod openshift;
mod respond;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;

use axum::Router;
use axum::body::Body as HttpBody;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use self::context::Ctx;
pub use self::context::{CallbackParams, MAX_CODE, MAX_STATE, RequestCookies, query_param};
use self::respond::{add_lang_cookie, expired_session_cookie, html_response, page, problem_page};
use crate::app::App;
use crate::errors::Problem;
use crate::log;
use crate::metrics::Route;
use crate::pages::Body;

/// Longer query strings are refused (414) before anything parses them.
pub const MAX_QUERY: usize = 4096;

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

#[cfg(test)]
mod tests {
    use super::*;

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
