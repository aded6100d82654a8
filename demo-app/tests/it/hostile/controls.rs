//! Positive controls: the detectors detect.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::detectors::{healthy, leaked, panics, secrets, verdict};
use super::probe::{Probe, State};
use super::requests::signed_cookie;
use super::wire::{Wire, parse_answer};

#[tokio::test]
async fn controls_the_secret_scanner_finds_what_it_should() {
    let mut p = Probe::start().await;
    // A complete flow, so every kind of token has been issued.
    let b = p.browser(State::Complete).await;
    let all = secrets(&p.h);
    let (access, id_token, refresh, ocp) = {
        let kc = p.h.kc.lock();
        let ocp = p.h.ocp.lock();
        (
            kc.issued_access_tokens[0].clone(),
            kc.issued_id_tokens[0].clone(),
            kc.issued_refresh_tokens[0].clone(),
            ocp.issued_tokens[0].clone(),
        )
    };
    let page = |body: String| Wire {
        status: Some(200),
        headers: vec![("content-type".into(), b"text/html".to_vec())],
        body: body.into_bytes(),
    };
    // Whole tokens, in a body or a header.
    assert!(leaked(&all, &page(format!("<code>{access}</code>"))).is_some());
    assert!(leaked(&all, &page(refresh.clone())).is_some());
    let mut in_header = page(String::new());
    in_header
        .headers
        .push(("x-debug".into(), id_token.clone().into_bytes()));
    assert!(leaked(&all, &in_header).unwrap().contains("header x-debug"));
    // Parts of them: a JWT's signature, its payload segment, the OpenShift token's end.
    let sig = id_token.rsplit('.').next().unwrap();
    assert!(leaked(&all, &page(format!("sig={sig}"))).is_some());
    let payload = access.split('.').nth(1).unwrap();
    assert!(leaked(&all, &page(payload.to_string())).is_some());
    assert!(leaked(&all, &page(ocp[20..].to_string())).is_some());
    // Configured secrets.
    let key = p.h.app.settings.session_key.expose().to_string();
    assert!(
        leaked(&all, &page(format!("key: {key}")))
            .unwrap()
            .contains("FLASK_SECRET_KEY")
    );
    assert!(leaked(&all, &page(crate::support::keycloak::CLIENT_SECRET.into())).is_some());
    // A token split across chunks of a chunked body is found after dechunking.
    let (left, right) = access.split_at(access.len() / 2);
    let raw = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{left}\r\n{:x}\r\n{right}\r\n0\r\n\r\n",
        left.len(),
        right.len()
    );
    assert!(leaked(&all, &parse_answer(raw.as_bytes())).is_some());
    // What the page shows by design is not a leak: the first 40 characters of the
    // OpenShift token. And the real complete page passes.
    let prefix = &ocp[..demo_app::openshift::TOKEN_PREFIX_CHARS];
    assert_eq!(leaked(&all, &page(format!("<code>{prefix}…</code>"))), None);
    let w = p.send("the complete page", &b.get("/")).await;
    assert_eq!(w.page_state().as_deref(), Some("complete"));
    assert!(w.text().contains(prefix), "the page shows the prefix");
    assert_eq!(leaked(&all, &w), None);
}

#[tokio::test]
async fn controls_redirect_header_and_status_checks_fail_when_they_should() {
    let p = Probe::start().await;
    let o = &p.origins;
    for bad in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example/x",
        "http://evil.example@127.0.0.1.evil.example/",
        "javascript:alert(1)",
    ] {
        assert!(o.check(bad).is_err(), "accepted Location {bad}");
    }
    let kc_auth = format!("{}/protocol/openid-connect/auth", p.h.kc.issuer());
    assert!(
        o.check(&format!(
            "{kc_auth}?redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
        ))
        .is_err()
    );
    assert!(
        o.check(&format!(
            "{kc_auth}?post_logout_redirect_uri=https://evil.example/"
        ))
        .is_err()
    );
    for good in [
        "/".to_string(),
        format!("{}/", p.h.url),
        format!("{kc_auth}?redirect_uri={}/callback/keycloak", p.h.url),
        format!(
            "{}/oauth/authorize?redirect_uri={}/callback/ocp",
            p.h.ocp.base, p.h.url
        ),
    ] {
        assert_eq!(o.check(&good), Ok(()), "{good}");
    }

    let none = secrets(&p.h);
    let wire = |status: u16, headers: &[(&str, &str)], body: &str| Wire {
        status: Some(status),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect(),
        body: body.as_bytes().to_vec(),
    };
    assert_eq!(
        verdict(&none, o, &wire(303, &[("location", "/")], "")),
        Ok(())
    );
    assert!(verdict(&none, o, &wire(500, &[], "oops")).is_err());
    assert!(
        verdict(
            &none,
            o,
            &wire(303, &[("location", "https://evil.example/")], "")
        )
        .is_err()
    );
    assert!(verdict(&none, o, &wire(200, &[("x-pwned", "1")], "")).is_err());
    assert!(verdict(&none, o, &wire(200, &[("set-cookie", "pwned=1")], "")).is_err());
    assert!(verdict(&none, o, &wire(200, &[], "<p><SCRIPT>pwned()</SCRIPT></p>")).is_err());

    // An injected header on the wire is seen by the parser.
    let raw = b"HTTP/1.1 303 See Other\r\nLocation: /\r\nX-pwned: 1\r\nContent-Length: 0\r\n\r\n";
    assert!(verdict(&none, o, &parse_answer(raw)).is_err());
}

#[tokio::test]
async fn controls_a_panic_or_a_dead_app_is_noticed() {
    let p = Probe::start().await;
    assert_eq!(panics(&p.h), 0);
    assert_eq!(healthy(&p.addr).await, Ok(()));
    // The counter the probe reads is the one the panic net increments.
    p.h.app.metrics.panic();
    assert_eq!(panics(&p.h), 1);
    // A port where nothing answers is reported as down.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    assert!(healthy(&closed).await.is_err());
    // A server that answers /health with something else is not healthy either.
    let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_addr = other.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = other.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
        }
    });
    assert!(healthy(&other_addr).await.is_err());
    // The cookie signer used for forged cookies matches the app's: signed with the app's
    // key it verifies (so "no session" above is about the session, not the format).
    let key = p.h.app.settings.session_key.expose().to_string();
    let cookie = signed_cookie(&key);
    assert!(p.h.app.sessions.verify_cookie(&cookie).is_some());
    assert!(
        p.h.app
            .sessions
            .verify_cookie(&signed_cookie("another-key-that-is-long-enough"))
            .is_none()
    );
}
