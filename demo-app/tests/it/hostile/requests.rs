//! The hostile requests: one table of cases (`CASES`), each sent to every route from a
//! browser in each state of the flow, every answer held to the common rules and to the
//! case's own expectation.

use super::detectors::MARK;
use super::probe::{Probe, State, routes};
use super::wire::{Req, Wire, get, raw};

/// A session cookie value signed with `key` for a random id (the app's format:
/// base64url id, '.', base64url HMAC-SHA256 of the id text).
pub(super) fn signed_cookie(key: &str) -> String {
    let id = demo_app::crypto::b64url(&demo_app::crypto::random_bytes());
    let sig = demo_app::crypto::hmac_sha256(key.as_bytes(), id.as_bytes());
    format!("{id}.{}", demo_app::crypto::b64url(&sig))
}

/// The same text with one character changed.
fn flipped(s: &str, at: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

/// What to expect of an answer beyond the common rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Anything,
    /// 405 with `Allow: GET, HEAD`.
    WrongMethod,
    /// 414 from the app's own limit.
    TooLong,
    /// The server may refuse the request itself (400, 414, 431) or close the connection.
    Refused,
    /// Not signed in (on `/`: the signed-out page).
    NoSession,
}

/// Which browsers a case is sent from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    Always,
    /// Only from a browser that has a session cookie (the case tampers with it).
    WithSession,
    /// Only in the first state of a test: megabytes of header or body.
    Heavy,
}

/// What a case's request is built for: the route, the browser's own session cookie
/// value (if it has one) and the app's session key.
struct On<'a> {
    route: &'a str,
    session: Option<&'a str>,
    key: &'a str,
}

impl On<'_> {
    /// `req` with the browser's own session cookie, when it has one.
    fn own(&self, req: Req) -> Req {
        match self.session {
            Some(s) => req.cookie(format!("demo_session={s}")),
            None => req,
        }
    }

    /// The route with a method the app does not serve, and a small form body.
    fn wrong_method(&self, method: &str) -> Req {
        self.own(get(self.route).method(method).body(b"a=1".to_vec()))
    }

    /// The route with `demo_session=<value>` as its only cookie.
    fn session_cookie(&self, value: &str) -> Req {
        get(self.route).cookie(format!("demo_session={value}"))
    }

    /// The id and the signature of the browser's own session cookie.
    fn id_and_signature(&self) -> (&str, &str) {
        let session = self.session.expect("a WithSession case");
        session.split_once('.').unwrap()
    }
}

/// One hostile request: its name (in every failure message), which browsers send it,
/// how it is built for a route, and what its answer must be beyond the common rules.
/// Requests are sent with the browser's own session cookie unless they are about cookies.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    when: When,
    build: fn(&On<'_>) -> Req,
    expect: Expect,
}

const fn case(name: &'static str, expect: Expect, build: fn(&On<'_>) -> Req) -> Case {
    Case {
        name,
        when: When::Always,
        build,
        expect,
    }
}

impl Case {
    const fn when(self, when: When) -> Case {
        Case { when, ..self }
    }

    fn applies(&self, has_session: bool, heavy: bool) -> bool {
        match self.when {
            When::Always => true,
            When::WithSession => has_session,
            When::Heavy => heavy,
        }
    }
}

/// The hostile requests, in the order they are sent to every route.
const CASES: &[Case] = {
    use Expect::*;
    use When::*;
    &[
        case("plain", Anything, |on| on.own(get(on.route))),
        case("HEAD", Anything, |on| on.own(get(on.route).method("HEAD"))),
        case("forged state", Anything, |on| {
            let state43 = demo_app::crypto::random_token();
            on.own(get(format!(
                "{}?code=forged-code&state={state43}",
                on.route
            )))
        }),
        case("redirect parameters", Anything, |on| {
            on.own(get(format!(
                "{}?redirect=https%3A%2F%2Fevil.example%2F&next=%2F%2Fevil.example&return_to=https://evil.example/x\
                 &returnTo=//evil.example&redirect_uri=https://evil.example/cb&post_logout_redirect_uri=https://evil.example/\
                 &url=javascript:alert(1)&continue=http://evil.example&goto=/%5Cevil.example",
                on.route
            )))
        }),
        case("absolute-form target and a foreign Host", Anything, |on| {
            on.own(get(format!("http://evil.example{}", on.route)).header("Host", "evil.example"))
        }),
        case("forwarding headers", Anything, |on| {
            on.own(
                get(on.route)
                    .header("X-Forwarded-Host", "evil.example")
                    .header("X-Forwarded-Proto", "https")
                    .header("Forwarded", "host=evil.example;proto=https")
                    .header("X-Original-URL", "//evil.example/")
                    .header("X-Rewrite-URL", "https://evil.example/"),
            )
        }),
        case("CR/LF percent-encoded in query values", Anything, |on| {
            on.own(get(format!(
                "{}?state=a%0d%0aSet-Cookie:%20{MARK}=1&code=b%0d%0aX-{MARK}:%201\
                 &lang=en%0d%0aLocation:%20https://evil.example&error=x%0d%0a{MARK}\
                 &error_description=%3Cscript%3E{MARK}()%3C/script%3E%0d%0aX-{MARK}:%201",
                on.route
            )))
        }),
        case("raw CR in the query", Refused, |on| {
            on.own(get(format!("{}?state=a\rX-{MARK}: 1", on.route)))
        }),
        case("raw LF in the query", Refused, |on| {
            on.own(get(format!("{}?state=a\nX-{MARK}: 1", on.route)))
        }),
        case("CR/LF in a cookie (a second header line)", Anything, |on| {
            on.session_cookie(&format!("x\r\nX-{MARK}: 1"))
        }),
        case("bare CR in a cookie", Refused, |on| {
            on.session_cookie(&format!("a\rSet-Cookie: {MARK}=1"))
        }),
        case("bytes that are not UTF-8 in cookies", Anything, |on| {
            get(on.route).cookie(b"demo_session=\xff\xfe\x80; lang=\xc3\x28".as_slice())
        }),
        case("a 60 KB header", Anything, |on| {
            on.own(get(on.route).header("X-Filler", "a".repeat(60 * 1024)))
        }),
        case("150 headers", Refused, |on| {
            (0..150).fold(on.own(get(on.route)), |r, i| {
                r.header(format!("X-H{i}"), "v")
            })
        }),
        case("3000 cookies, the session's last", Anything, |on| {
            get(on.route).cookie(
                (0..3000)
                    .map(|i| format!("c{i}=v{i}"))
                    .chain(on.session.map(|s| format!("demo_session={s}")))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }),
        case("60 Cookie headers", Anything, |on| {
            (0..60).fold(on.own(get(on.route)), |r, i| r.cookie(format!("k{i}=v{i}")))
        }),
        case("Accept-Language junk", Anything, |on| {
            on.own(get(on.route).header(
                "Accept-Language",
                "zh;q=NaN, en;q=-1, *;q=1e999, zh-Hant-;q=0.5, ;;;=, q=, zh-TW;q=0.9;q=2",
            ))
        }),
        case("a control character in a header", Refused, |on| {
            on.own(get(on.route).header("Accept-Language", "en\u{7}zh"))
        }),
        case("a 20 KB Accept-Language", Anything, |on| {
            on.own(get(on.route).header("Accept-Language", "zh-TW,".repeat(3000)))
        }),
        case("lang cookie with markup", Anything, |on| {
            on.own(get(on.route))
                .cookie(format!("lang=<script>{MARK}</script>"))
        }),
        // Forged and tampered session cookies: never a session.
        case("garbage session cookie", NoSession, |on| {
            on.session_cookie("garbage")
        }),
        case("empty session cookie", NoSession, |on| {
            on.session_cookie("")
        }),
        case(
            "session cookie of the right shape, not base64",
            NoSession,
            |on| on.session_cookie(&format!("{}.{}", "!".repeat(43), "!".repeat(43))),
        ),
        case("session cookie signed with another key", NoSession, |on| {
            on.session_cookie(&signed_cookie("another-key-that-is-long-enough"))
        }),
        case(
            "session cookie signed with the app's key for an id it never issued",
            NoSession,
            |on| on.session_cookie(&signed_cookie(on.key)),
        ),
        case("a 10 KB session cookie", NoSession, |on| {
            on.session_cookie(&"A".repeat(10 * 1024))
        }),
        // Bytes that are not UTF-8, raw and percent-encoded, in the path and the query.
        case("raw bytes in the path", Refused, |on| {
            on.own(get([on.route.as_bytes(), b"\xff\xfe\xc0\xaf"].concat()))
        }),
        case("percent-encoded bytes in the path", Anything, |on| {
            on.own(get(format!("{}%ff%fe%c0%af", on.route)))
        }),
        case("dot segments in the path", Anything, |on| {
            on.own(get(format!("{}/..%2f..%2f..%2fetc%2fpasswd", on.route)))
        }),
        case("raw bytes in the query", Refused, |on| {
            on.own(get([
                on.route.as_bytes(),
                b"?state=\xff\xfe&code=\xc0\xaf&lang=\x80",
            ]
            .concat()))
        }),
        case("percent-encoded bytes in the query", Anything, |on| {
            on.own(get(format!(
                "{}?state=%ff%fe&code=%c0%af&lang=%ff&error=%fe",
                on.route
            )))
        }),
        // Size limits.
        case("a 5 KB query string", TooLong, |on| {
            on.own(get(format!("{}?q={}", on.route, "q".repeat(5 * 1024))))
        }),
        case("a 3000-byte code and a 600-byte state", Anything, |on| {
            on.own(get(format!(
                "{}?code={}&state={}",
                on.route,
                "c".repeat(3000),
                "s".repeat(600)
            )))
        }),
        case("a 64 KB body on GET", Anything, |on| {
            on.own(get(on.route).body(vec![b'x'; 64 * 1024]))
        }),
        case("a chunked body", WrongMethod, |on| {
            on.own(
                get(on.route)
                    .method("POST")
                    .header("Transfer-Encoding", "chunked")
                    .body(b"5\r\nhello\r\nfffffff\r\nxx".to_vec()),
            )
        }),
        case("a Content-Length larger than the body", Anything, |on| {
            on.own(
                get(on.route)
                    .header("Content-Length", "100000")
                    .body(b"short".to_vec()),
            )
        }),
        case("Expect: 100-continue", WrongMethod, |on| {
            on.own(
                get(on.route)
                    .method("POST")
                    .header("Expect", "100-continue")
                    .body(vec![b'y'; 1000]),
            )
        }),
        // Other protocol versions, and what is not HTTP at all.
        case("HTTP/1.0 without Host", Anything, |on| {
            raw(format!("GET {} HTTP/1.0\r\n\r\n", on.route))
        }),
        case("an HTTP/2 preface", Refused, |_| Req {
            half_close: true,
            ..raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        }),
        case("a request line of garbage", Refused, |_| {
            raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")
        }),
        // Wrong methods.
        case("method POST", WrongMethod, |on| on.wrong_method("POST")),
        case("method PUT", WrongMethod, |on| on.wrong_method("PUT")),
        case("method DELETE", WrongMethod, |on| on.wrong_method("DELETE")),
        case("method PATCH", WrongMethod, |on| on.wrong_method("PATCH")),
        case("method OPTIONS", WrongMethod, |on| {
            on.wrong_method("OPTIONS")
        }),
        case("method TRACE", WrongMethod, |on| on.wrong_method("TRACE")),
        case("method FOO", WrongMethod, |on| on.wrong_method("FOO")),
        case("method get", WrongMethod, |on| on.wrong_method("get")),
        case("method CONNECT", Refused, |on| {
            on.own(get("127.0.0.1:1").method("CONNECT"))
        }),
        // The browser's own session cookie, tampered with.
        case(
            "the session cookie with its signature changed",
            NoSession,
            |on| {
                let (id, sig) = on.id_and_signature();
                on.session_cookie(&format!("{id}.{}", flipped(sig, 3)))
            },
        )
        .when(WithSession),
        case("the session cookie with its id changed", NoSession, |on| {
            let (id, sig) = on.id_and_signature();
            on.session_cookie(&format!("{}.{sig}", flipped(id, 3)))
        })
        .when(WithSession),
        case(
            "the session cookie's id signed by its id",
            NoSession,
            |on| {
                let (id, _) = on.id_and_signature();
                on.session_cookie(&format!("{id}.{id}"))
            },
        )
        .when(WithSession),
        case(
            "a forged session cookie before the real one",
            NoSession,
            |on| {
                let own = on.session.expect("a WithSession case");
                on.session_cookie(&format!("forged.cookie; demo_session={own}"))
            },
        )
        .when(WithSession),
        // Megabytes.
        case("a 1 MB header", Refused, |on| {
            on.own(get(on.route).header("X-Filler", "b".repeat(1024 * 1024)))
        })
        .when(Heavy),
        case("a 70 KB query string", Refused, |on| {
            on.own(get(format!("{}?state={}", on.route, "s".repeat(70 * 1024))))
        })
        .when(Heavy),
        case("an 8 MB body", Refused, |on| {
            on.own(
                get(on.route)
                    .method("POST")
                    .body(vec![b'z'; 8 * 1024 * 1024]),
            )
        })
        .when(Heavy),
    ]
};

/// The expectations beyond the common rules.
fn expect(what: &str, route: &str, expect: Expect, wire: &Wire) {
    match expect {
        Expect::Anything => {}
        Expect::WrongMethod => {
            assert_eq!(wire.status, Some(405), "{route}, {what}");
            assert_eq!(
                wire.header("allow").as_deref(),
                Some("GET, HEAD"),
                "{route}, {what}"
            );
        }
        Expect::TooLong => assert_eq!(wire.status, Some(414), "{route}, {what}"),
        Expect::Refused => assert!(
            matches!(wire.status, None | Some(400 | 405 | 414 | 431)),
            "{route}, {what}: {:?}",
            wire.status
        ),
        Expect::NoSession => {
            if route == "/" {
                assert_eq!(wire.status, Some(200), "{route}, {what}");
                assert_eq!(
                    wire.page_state().as_deref(),
                    Some("signed-out"),
                    "{route}, {what}"
                );
                assert!(
                    wire.all("set-cookie")
                        .any(|c| c.starts_with("demo_session=;") && c.contains("Max-Age=0")),
                    "{route}, {what}: the dead cookie is not dropped"
                );
            }
            if route == "/call-ocp-api" {
                assert_eq!(wire.status, Some(400), "{route}, {what}");
                assert_eq!(
                    wire.error_kind().as_deref(),
                    Some("not_signed_in"),
                    "{route}, {what}"
                );
            }
            if route.starts_with("/callback/") {
                assert_eq!(wire.status, Some(400), "{route}, {what}");
            }
        }
    }
}

/// Routes that use up the state a browser is in (a sign-out, a token exchange): those get
/// a fresh browser for every request.
fn consumes(route: &str, state: State) -> bool {
    match route {
        "/logout" => state != State::SignedOut,
        "/call-ocp-api" => state == State::SignedIn,
        _ => false,
    }
}

async fn every_route_in(states: &[State]) {
    let mut p = Probe::start().await;
    let key = p.h.app.settings.session_key.expose().to_string();
    for (i, &state) in states.iter().enumerate() {
        let heavy = i == 0;
        for route in routes() {
            let mut b = p.browser(state).await;
            // A fresh browser in the same state has a session exactly when this one has.
            let cases: Vec<&Case> = CASES
                .iter()
                .filter(|c| c.applies(b.session.is_some(), heavy))
                .collect();
            for (n, case) in cases.into_iter().enumerate() {
                if consumes(route, state) && n > 0 {
                    b = p.browser(state).await;
                }
                let on = On {
                    route,
                    session: b.session.as_deref(),
                    key: &key,
                };
                let req = (case.build)(&on);
                let label = format!("{state:?}, {route}, {}", case.name);
                let wire = p.send(&label, &req).await;
                expect(&label, route, case.expect, &wire);
            }
        }
    }
    eprintln!("{states:?}: {} requests, each followed by /health", p.sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_signed_out_and_mid_sign_in() {
    every_route_in(&[State::SignedOut, State::PendingLogin]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_signed_in_and_mid_openshift() {
    every_route_in(&[State::SignedIn, State::PendingOcp]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_after_the_whole_flow() {
    every_route_in(&[State::Complete]).await;
}
