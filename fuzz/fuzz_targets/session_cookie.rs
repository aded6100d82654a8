//! The session cookie: a request's `Cookie` headers as the app reads them, then the
//! signature check of `demo_session`. Only the exact text the app issued may verify: no
//! forged, tampered or second spelling of a valid cookie.

#![no_main]

use std::sync::OnceLock;

use demo_app::Secret;
use demo_app::routes::RequestCookies;
use demo_app::session::{Limits, Sessions};
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

struct Bed {
    sessions: Sessions,
    /// The cookie value of a live session.
    genuine: String,
}

fn bed() -> &'static Bed {
    static BED: OnceLock<Bed> = OnceLock::new();
    BED.get_or_init(|| {
        let sessions = Sessions::new(
            Secret::new("a-fuzzing-session-key-long-enough"),
            Limits::default(),
        );
        let id = sessions.create();
        let genuine = sessions.cookie_value(id);
        assert_eq!(sessions.verify_cookie(&genuine), Some(id));
        Bed { sessions, genuine }
    })
}

/// A value that verifies must be exactly what the app issues for that id.
fn check(bed: &Bed, value: &str) {
    if let Some(id) = bed.sessions.verify_cookie(value) {
        assert_eq!(
            bed.sessions.cookie_value(id),
            value,
            "a second spelling verified"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let bed = bed();

    // The bytes as Cookie headers, one per line, as a request would carry them.
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, value);
        }
    }
    let cookies = RequestCookies::of(&headers);
    if let Some(value) = cookies.session {
        check(bed, value);
    }

    // The bytes as a cookie value on their own.
    if let Ok(text) = std::str::from_utf8(data) {
        check(bed, text);
    }

    // The genuine cookie with the bytes XORed over it: any change is refused.
    let mut tampered = bed.genuine.clone().into_bytes();
    let len = tampered.len();
    for (i, x) in data.iter().enumerate() {
        tampered[i % len] ^= x;
    }
    if let Ok(text) = std::str::from_utf8(&tampered) {
        let verdict = bed.sessions.verify_cookie(text);
        if text == bed.genuine {
            assert!(verdict.is_some());
        } else {
            assert!(verdict.is_none(), "a tampered cookie verified: {text:?}");
        }
    }
});
