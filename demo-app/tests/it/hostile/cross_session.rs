//! Callbacks carried into another session, and replayed.

use reqwest::Url;

use super::probe::{Probe, State, location, path_of};
use super::wire::get;
use crate::support::{Harness, query};

/// `code` and `state` of a callback URL.
fn code_state(callback: &Url) -> (String, String) {
    let q = query(callback);
    (q["code"].clone(), q["state"].clone())
}

fn redeemed(h: &Harness) -> (usize, usize) {
    (
        h.kc.lock().token_requests.len(),
        h.ocp.lock().token_requests.len(),
    )
}

#[tokio::test]
async fn callbacks_cannot_cross_sessions_or_be_replayed() {
    let mut p = Probe::start().await;

    // --- Keycloak. Sessions A and B each start a sign-in; A's comes back.
    let mut a = p.browser(State::PendingLogin).await;
    let mut b = p.browser(State::PendingLogin).await;
    let a_callback = p.authorize(a.auth.as_ref().unwrap()).await;
    let (a_code, _) = code_state(&a_callback);
    let b_state = query(b.auth.as_ref().unwrap())["state"].clone();
    let before = redeemed(&p.h);

    // A's callback, whole, in B: B's sign-in is for another state.
    p.expect_refused(
        "A's Keycloak callback in B",
        &b.get(path_of(&a_callback)),
        400,
        "state_mismatch",
    )
    .await;
    // A's callback with no session at all.
    p.expect_refused(
        "A's Keycloak callback without a session",
        &get(path_of(&a_callback)),
        400,
        "sign_in_expired",
    )
    .await;
    // A's real code with a forged state, in A.
    let forged = format!(
        "/callback/keycloak?code={a_code}&state={}",
        demo_app::crypto::random_token()
    );
    p.expect_refused(
        "A's code with a forged state in A",
        &a.get(&forged),
        400,
        "state_mismatch",
    )
    .await;
    assert_eq!(
        redeemed(&p.h),
        before,
        "no code is redeemed for a foreign callback"
    );

    // A's genuine callback in A: signed in, with a new session id.
    let a_old_cookie = a.session.clone().unwrap();
    let w = p
        .send("A's own callback", &a.get(path_of(&a_callback)))
        .await;
    assert_eq!(w.status, Some(303), "{:?}", w.error_kind());
    a.update(&w);
    assert_ne!(a.session, Some(a_old_cookie.clone()), "rotated at sign-in");
    let spent = redeemed(&p.h);

    // Replayed: twice in A, in B, and with A's cookie from before the sign-in.
    for (what, req) in [
        ("A's callback replayed in A", a.get(path_of(&a_callback))),
        (
            "A's callback replayed in A again",
            a.get(path_of(&a_callback)),
        ),
        ("A's used callback in B", b.get(path_of(&a_callback))),
        (
            "A's used callback with A's pre-sign-in cookie",
            get(path_of(&a_callback)).cookie(format!("demo_session={a_old_cookie}")),
        ),
    ] {
        let w = p.send(what, &req).await;
        assert_eq!(w.status, Some(400), "{what}: {:?}", w.error_kind());
    }
    assert_eq!(redeemed(&p.h), spent, "a replayed callback redeems nothing");
    let old = get("/").cookie(format!("demo_session={a_old_cookie}"));
    let w = p.send("A's pre-sign-in cookie", &old).await;
    assert_eq!(
        w.page_state().as_deref(),
        Some("signed-out"),
        "the old id is worthless"
    );

    // Code injection: a fresh code of A's, with B's own state, in B. The state matches,
    // but B's PKCE verifier does not match A's challenge: Keycloak refuses, B stays out.
    let w = p.send("A signs in again", &a.get("/login")).await;
    a.update(&w);
    let a_code = code_state(&p.authorize(&location(&w)).await).0;
    let injected = format!("/callback/keycloak?code={a_code}&state={b_state}");
    p.expect_refused(
        "A's code with B's state in B",
        &b.get(&injected),
        502,
        "token_request_refused",
    )
    .await;
    assert_eq!(p.h.kc.lock().pkce_results.last(), Some(&false));
    let w = p.send("B after the injected code", &b.get("/")).await;
    assert_eq!(w.page_state().as_deref(), Some("signed-out"));
    // B's own response now finds its sign-in used up; a new one works.
    let b_callback = p.authorize(b.auth.as_ref().unwrap()).await;
    p.expect_refused(
        "B's own callback after the injection",
        &b.get(path_of(&b_callback)),
        400,
        "response_already_used",
    )
    .await;
    let w = p.send("B signs in again", &b.get("/login")).await;
    b.update(&w);
    let b_callback = p.authorize(&location(&w)).await;
    let w = p
        .send("B's new callback", &b.get(path_of(&b_callback)))
        .await;
    assert_eq!(w.status, Some(303), "{:?}", w.error_kind());
    b.update(&w);

    // --- OpenShift. Both are signed in and start step 2; A's response comes back.
    let wa = p.send("A calls the OCP API", &a.get("/call-ocp-api")).await;
    let wb = p.send("B calls the OCP API", &b.get("/call-ocp-api")).await;
    assert_eq!(
        (wa.status, wb.status),
        (Some(303), Some(303)),
        "{:?}",
        wa.error_kind()
    );
    let a_ocp = p.authorize(&location(&wa)).await;
    let b_ocp_state = query(&location(&wb))["state"].clone();
    let before = redeemed(&p.h);

    p.expect_refused(
        "A's OpenShift callback in B",
        &b.get(path_of(&a_ocp)),
        400,
        "state_mismatch",
    )
    .await;
    p.expect_refused(
        "A's OpenShift callback without a session",
        &get(path_of(&a_ocp)),
        400,
        "sign_in_expired",
    )
    .await;
    assert_eq!(redeemed(&p.h), before);

    // A's own: complete; then replays are refused and redeem nothing.
    let w = p
        .send("A's own OpenShift callback", &a.get(path_of(&a_ocp)))
        .await;
    assert_eq!(w.status, Some(303), "{:?}", w.error_kind());
    let spent = redeemed(&p.h);
    for (what, req) in [
        (
            "A's OpenShift callback replayed in A",
            a.get(path_of(&a_ocp)),
        ),
        (
            "A's OpenShift callback replayed in B",
            b.get(path_of(&a_ocp)),
        ),
    ] {
        let w = p.send(what, &req).await;
        assert_eq!(w.status, Some(400), "{what}: {:?}", w.error_kind());
    }
    assert_eq!(redeemed(&p.h), spent);
    let w = p.send("A's page", &a.get("/")).await;
    assert_eq!(w.page_state().as_deref(), Some("complete"));

    // Code injection on OpenShift: a code issued for A's request, with B's state, in B.
    // The verifier is B's, the challenge A's: OpenShift refuses, no API call is made.
    let again = p.browser(State::PendingOcp).await;
    let other_code = code_state(&p.authorize(again.auth.as_ref().unwrap()).await).0;
    let calls = p.h.ocp.lock().api_requests.len();
    let injected = format!("/callback/ocp?code={other_code}&state={b_ocp_state}");
    p.expect_refused(
        "another session's OpenShift code with B's state in B",
        &b.get(&injected),
        502,
        "token_request_refused",
    )
    .await;
    assert_eq!(p.h.ocp.lock().pkce_results.last(), Some(&false));
    assert_eq!(
        p.h.ocp.lock().api_requests.len(),
        calls,
        "no API call with a foreign code"
    );
    let w = p.send("B after the injected code", &b.get("/")).await;
    assert_ne!(w.page_state().as_deref(), Some("complete"));
    eprintln!("cross-session and replays: {} requests", p.sent);
}
