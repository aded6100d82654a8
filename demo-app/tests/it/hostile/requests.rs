//! The hostile requests.

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

/// The hostile requests for one route, sent with `session` (the browser's own cookie
/// value, if it has one) unless the request is about cookies. `heavy` adds the requests
/// with megabytes of header or body.
fn hostile(
    route: &str,
    session: Option<&str>,
    key: &str,
    heavy: bool,
) -> Vec<(String, Req, Expect)> {
    use Expect::*;
    let own = |req: Req| match session {
        Some(s) => req.cookie(format!("demo_session={s}")),
        None => req,
    };
    let state43 = demo_app::crypto::random_token();
    let mut out: Vec<(String, Req, Expect)> = vec![
        ("plain".into(), own(get(route)), Anything),
        ("HEAD".into(), own(get(route).method("HEAD")), Anything),
        (
            "forged state".into(),
            own(get(format!("{route}?code=forged-code&state={state43}"))),
            Anything,
        ),
        (
            "redirect parameters".into(),
            own(get(format!(
                "{route}?redirect=https%3A%2F%2Fevil.example%2F&next=%2F%2Fevil.example&return_to=https://evil.example/x\
                 &returnTo=//evil.example&redirect_uri=https://evil.example/cb&post_logout_redirect_uri=https://evil.example/\
                 &url=javascript:alert(1)&continue=http://evil.example&goto=/%5Cevil.example"
            ))),
            Anything,
        ),
        (
            "absolute-form target and a foreign Host".into(),
            own(get(format!("http://evil.example{route}")).header("Host", "evil.example")),
            Anything,
        ),
        (
            "forwarding headers".into(),
            own(get(route)
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-Proto", "https")
                .header("Forwarded", "host=evil.example;proto=https")
                .header("X-Original-URL", "//evil.example/")
                .header("X-Rewrite-URL", "https://evil.example/")),
            Anything,
        ),
        (
            "CR/LF percent-encoded in query values".into(),
            own(get(format!(
                "{route}?state=a%0d%0aSet-Cookie:%20{MARK}=1&code=b%0d%0aX-{MARK}:%201\
                 &lang=en%0d%0aLocation:%20https://evil.example&error=x%0d%0a{MARK}\
                 &error_description=%3Cscript%3E{MARK}()%3C/script%3E%0d%0aX-{MARK}:%201"
            ))),
            Anything,
        ),
        (
            "raw CR in the query".into(),
            own(get(format!("{route}?state=a\rX-{MARK}: 1"))),
            Refused,
        ),
        (
            "raw LF in the query".into(),
            own(get(format!("{route}?state=a\nX-{MARK}: 1"))),
            Refused,
        ),
        (
            "CR/LF in a cookie (a second header line)".into(),
            get(route).cookie(format!("demo_session=x\r\nX-{MARK}: 1")),
            Anything,
        ),
        (
            "bare CR in a cookie".into(),
            get(route).cookie(format!("demo_session=a\rSet-Cookie: {MARK}=1")),
            Refused,
        ),
        (
            "bytes that are not UTF-8 in cookies".into(),
            get(route).cookie(b"demo_session=\xff\xfe\x80; lang=\xc3\x28".as_slice()),
            Anything,
        ),
        (
            "a 60 KB header".into(),
            own(get(route).header("X-Filler", "a".repeat(60 * 1024))),
            Anything,
        ),
        (
            "150 headers".into(),
            (0..150).fold(own(get(route)), |r, i| r.header(format!("X-H{i}"), "v")),
            Refused,
        ),
        (
            "3000 cookies, the session's last".into(),
            get(route).cookie(
                (0..3000)
                    .map(|i| format!("c{i}=v{i}"))
                    .chain(session.map(|s| format!("demo_session={s}")))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Anything,
        ),
        (
            "60 Cookie headers".into(),
            (0..60).fold(own(get(route)), |r, i| r.cookie(format!("k{i}=v{i}"))),
            Anything,
        ),
        (
            "Accept-Language junk".into(),
            own(get(route).header(
                "Accept-Language",
                "zh;q=NaN, en;q=-1, *;q=1e999, zh-Hant-;q=0.5, ;;;=, q=, zh-TW;q=0.9;q=2",
            )),
            Anything,
        ),
        (
            "a control character in a header".into(),
            own(get(route).header("Accept-Language", "en\u{7}zh")),
            Refused,
        ),
        (
            "a 20 KB Accept-Language".into(),
            own(get(route).header("Accept-Language", "zh-TW,".repeat(3000))),
            Anything,
        ),
        (
            "lang cookie with markup".into(),
            own(get(route)).cookie(format!("lang=<script>{MARK}</script>")),
            Anything,
        ),
        // Forged and tampered session cookies: never a session.
        (
            "garbage session cookie".into(),
            get(route).cookie("demo_session=garbage"),
            NoSession,
        ),
        (
            "empty session cookie".into(),
            get(route).cookie("demo_session="),
            NoSession,
        ),
        (
            "session cookie of the right shape, not base64".into(),
            get(route).cookie(format!(
                "demo_session={}.{}",
                "!".repeat(43),
                "!".repeat(43)
            )),
            NoSession,
        ),
        (
            "session cookie signed with another key".into(),
            get(route).cookie(format!(
                "demo_session={}",
                signed_cookie("another-key-that-is-long-enough")
            )),
            NoSession,
        ),
        (
            "session cookie signed with the app's key for an id it never issued".into(),
            get(route).cookie(format!("demo_session={}", signed_cookie(key))),
            NoSession,
        ),
        (
            "a 10 KB session cookie".into(),
            get(route).cookie(format!("demo_session={}", "A".repeat(10 * 1024))),
            NoSession,
        ),
        // Bytes that are not UTF-8, raw and percent-encoded, in the path and the query.
        (
            "raw bytes in the path".into(),
            own(get([route.as_bytes(), b"\xff\xfe\xc0\xaf"].concat())),
            Refused,
        ),
        (
            "percent-encoded bytes in the path".into(),
            own(get(format!("{route}%ff%fe%c0%af"))),
            Anything,
        ),
        (
            "dot segments in the path".into(),
            own(get(format!("{route}/..%2f..%2f..%2fetc%2fpasswd"))),
            Anything,
        ),
        (
            "raw bytes in the query".into(),
            own(get([
                route.as_bytes(),
                b"?state=\xff\xfe&code=\xc0\xaf&lang=\x80",
            ]
            .concat())),
            Refused,
        ),
        (
            "percent-encoded bytes in the query".into(),
            own(get(format!(
                "{route}?state=%ff%fe&code=%c0%af&lang=%ff&error=%fe"
            ))),
            Anything,
        ),
        // Size limits.
        (
            "a 5 KB query string".into(),
            own(get(format!("{route}?q={}", "q".repeat(5 * 1024)))),
            TooLong,
        ),
        (
            "a 3000-byte code and a 600-byte state".into(),
            own(get(format!(
                "{route}?code={}&state={}",
                "c".repeat(3000),
                "s".repeat(600)
            ))),
            Anything,
        ),
        (
            "a 64 KB body on GET".into(),
            own(get(route).body(vec![b'x'; 64 * 1024])),
            Anything,
        ),
        (
            "a chunked body".into(),
            own(get(route)
                .method("POST")
                .header("Transfer-Encoding", "chunked")
                .body(b"5\r\nhello\r\nfffffff\r\nxx".to_vec())),
            WrongMethod,
        ),
        (
            "a Content-Length larger than the body".into(),
            own(get(route)
                .header("Content-Length", "100000")
                .body(b"short".to_vec())),
            Anything,
        ),
        (
            "Expect: 100-continue".into(),
            own(get(route)
                .method("POST")
                .header("Expect", "100-continue")
                .body(vec![b'y'; 1000])),
            WrongMethod,
        ),
        // Other protocol versions, and what is not HTTP at all.
        (
            "HTTP/1.0 without Host".into(),
            raw(format!("GET {route} HTTP/1.0\r\n\r\n")),
            Anything,
        ),
        (
            "an HTTP/2 preface".into(),
            Req {
                half_close: true,
                ..raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            },
            Refused,
        ),
        (
            "a request line of garbage".into(),
            raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
            Refused,
        ),
    ];
    // Wrong methods.
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "get",
    ] {
        out.push((
            format!("method {method}"),
            own(get(route).method(method).body(b"a=1".to_vec())),
            WrongMethod,
        ));
    }
    out.push((
        "method CONNECT".into(),
        own(get("127.0.0.1:1").method("CONNECT")),
        Refused,
    ));
    if let Some(s) = session {
        let (id, sig) = s.split_once('.').unwrap();
        for (what, value) in [
            (
                "the session cookie with its signature changed",
                format!("{id}.{}", flipped(sig, 3)),
            ),
            (
                "the session cookie with its id changed",
                format!("{}.{sig}", flipped(id, 3)),
            ),
            (
                "the session cookie's id signed by its id",
                format!("{id}.{id}"),
            ),
        ] {
            out.push((
                what.into(),
                get(route).cookie(format!("demo_session={value}")),
                NoSession,
            ));
        }
        out.push((
            "a forged session cookie before the real one".into(),
            get(route).cookie(format!("demo_session=forged.cookie; demo_session={s}")),
            NoSession,
        ));
    }
    if heavy {
        out.extend([
            (
                "a 1 MB header".into(),
                own(get(route).header("X-Filler", "b".repeat(1024 * 1024))),
                Refused,
            ),
            (
                "a 70 KB query string".into(),
                own(get(format!("{route}?state={}", "s".repeat(70 * 1024)))),
                Refused,
            ),
            (
                "an 8 MB body".into(),
                own(get(route).method("POST").body(vec![b'z'; 8 * 1024 * 1024])),
                Refused,
            ),
        ]);
    }
    out
}

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
            let b = p.browser(state).await;
            let mut requests = hostile(route, b.session.as_deref(), &key, heavy);
            for n in 0..requests.len() {
                if consumes(route, state) && n > 0 {
                    let b = p.browser(state).await;
                    requests = hostile(route, b.session.as_deref(), &key, heavy);
                }
                let (what, req, exp) = &requests[n];
                let label = format!("{state:?}, {route}, {what}");
                let wire = p.send(&label, req).await;
                expect(&label, route, *exp, &wire);
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
