//! What the handlers read from a request: its language and session (`Ctx`), the app's
//! cookies, query parameters, and the checks every authorization callback passes.

use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::app::App;
use crate::claims::truncate;
use crate::errors::{Flow, Problem};
use crate::pages::Lang;
use crate::pending::Pending;
use crate::session::{COOKIE_NAME, SessionId, StateCheck};

pub const MAX_CODE: usize = 2048;
pub const MAX_STATE: usize = 512;
pub(super) const LANG_COOKIE: &str = "lang";

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

    pub(super) fn without_query(app: &App, parts: &Parts) -> Ctx {
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

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

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
}
