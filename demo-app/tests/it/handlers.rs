//! The app's routes end to end, in-process, against a fake Keycloak and a fake
//! OpenShift. Every answer is checked for its status (never 500) and its message.

use crate::support::{Harness, keycloak, openshift, query};
use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;

fn s256(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn happy_path_through_all_steps() {
    let h = Harness::start().await;

    let home = h.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.state().as_deref(), Some("signed-out"));
    assert!(home.body.contains("id=\"login\"") && home.body.contains("href=\"/login\""));
    assert!(home.body.contains("<svg id=\"architecture-diagram\""));
    assert!(
        h.session_cookie().is_none(),
        "the signed-out page sets no session"
    );

    // Step 1: Keycloak sign-in.
    let auth = h.start_login().await;
    assert!(
        auth.as_str()
            .starts_with(&format!("{}/protocol/openid-connect/auth?", h.kc.issuer()))
    );
    let q = query(&auth);
    assert_eq!(q["client_id"], keycloak::CLIENT_ID);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["scope"], "openid profile email");
    assert_eq!(q["redirect_uri"], format!("{}/callback/keycloak", h.url));
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["state"].len(), 43);
    assert!(q["nonce"].len() >= 43);
    let first_cookie = h.session_cookie().expect("login starts a session");

    let callback = h.authorize(&auth).await;
    let done = h.get(callback.as_str()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{:?}", done.error());
    assert_eq!(done.location_text(), "/");
    let cookie = h.session_cookie().unwrap();
    assert_ne!(cookie, first_cookie, "the session id is rotated at sign-in");
    {
        let kc = h.kc.lock();
        assert_eq!(kc.pkce_results, vec![true]);
        let req = &kc.token_requests[0];
        assert_eq!(req["grant_type"], "authorization_code");
        assert_eq!(req["client_secret"], keycloak::CLIENT_SECRET);
        assert_eq!(req["redirect_uri"], format!("{}/callback/keycloak", h.url));
        assert_eq!(s256(&req["code_verifier"]), q["code_challenge"]);
    }

    let page = h.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.state().as_deref(), Some("signed-in"));
    assert_eq!(page.text_of("kc-sub").unwrap(), keycloak::USER_SUB);
    assert_eq!(
        page.text_of("kc-preferred-username").unwrap(),
        keycloak::USER
    );
    assert_eq!(page.text_of("kc-azp").unwrap(), keycloak::CLIENT_ID);
    assert_eq!(page.text_of("kc-aud").unwrap(), "account");
    assert_eq!(page.text_of("kc-scope").unwrap(), "openid profile email");
    assert_eq!(page.text_of("kc-iss").unwrap(), h.kc.issuer());
    assert!(page.text_of("kc-exp-utc").unwrap().ends_with("UTC)"));
    assert!(
        page.body
            .contains("<a id=\"call-ocp-api\" class=\"button\" href=\"/call-ocp-api\">")
    );
    assert!(page.body.contains("<a id=\"logout\" href=\"/logout\">"));
    assert_eq!(h.app.sessions.holds_keycloak_token(&cookie), Some(true));

    // Step 2a + 2b: token exchange, then off to OpenShift's OAuth server.
    let ocp_auth = h.start_ocp().await;
    assert!(
        ocp_auth
            .as_str()
            .starts_with(&format!("{}/oauth/authorize?", h.ocp.base))
    );
    let oq = query(&ocp_auth);
    assert_eq!(oq["client_id"], openshift::CLIENT_ID);
    assert_eq!(oq["idp"], "keycloak");
    assert_eq!(oq["response_type"], "code");
    assert_eq!(oq["redirect_uri"], format!("{}/callback/ocp", h.url));
    assert_eq!(oq["code_challenge_method"], "S256");
    assert_eq!(oq["state"].len(), 43);
    assert_eq!(
        h.app.sessions.holds_keycloak_token(&cookie),
        Some(false),
        "the Keycloak token is dropped once exchanged"
    );
    {
        let kc = h.kc.lock();
        assert_eq!(kc.exchange_subjects, kc.issued_access_tokens);
        let req = kc.token_requests.last().unwrap();
        assert_eq!(
            req["grant_type"],
            "urn:ietf:params:oauth:grant-type:token-exchange"
        );
        assert_eq!(req["client_id"], keycloak::OCP_CLIENT_ID);
        assert_eq!(req["client_secret"], keycloak::OCP_CLIENT_SECRET);
        assert_eq!(
            req["subject_token_type"],
            "urn:ietf:params:oauth:token-type:access_token"
        );
        assert_eq!(
            req["requested_token_type"],
            "urn:ietf:params:oauth:token-type:access_token"
        );
    }

    // Step 2b + 2c: the OpenShift code, token and API calls.
    let ocp_callback = h.authorize(&ocp_auth).await;
    let done = h.get(ocp_callback.as_str()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{:?}", done.error());
    assert_eq!(done.location_text(), "/");
    let ocp_token = {
        let ocp = h.ocp.lock();
        assert_eq!(ocp.pkce_results, vec![true]);
        let req = &ocp.token_requests[0];
        assert_eq!(req["grant_type"], "authorization_code");
        assert_eq!(req["client_id"], openshift::CLIENT_ID);
        assert_eq!(req["client_secret"], openshift::CLIENT_SECRET);
        assert_eq!(req["redirect_uri"], format!("{}/callback/ocp", h.url));
        assert_eq!(s256(&req["code_verifier"]), oq["code_challenge"]);
        assert_eq!(ocp.api_requests.len(), 2);
        ocp.issued_tokens[0].clone()
    };

    let page = h.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.state().as_deref(), Some("complete"));
    assert!(page.body.contains("<section id=\"step-2a\">"));
    assert!(
        page.body
            .contains("<code id=\"exchanged-azp\">ocp-oauth</code>")
    );
    assert_eq!(page.text_of("exchanged-aud").unwrap(), "ocp-oauth");
    assert_eq!(page.text_of("exchanged-sub").unwrap(), keycloak::USER_SUB);
    assert_eq!(
        page.text_of("exchanged-issued-token-type").unwrap(),
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert!(page.body.contains("<section id=\"step-2b\">"));
    let prefix = page.text_of("ocp-token-prefix").unwrap();
    let prefix = prefix.strip_suffix('…').expect("the prefix ends with …");
    assert_eq!(prefix.chars().count(), 40);
    assert_eq!(prefix, &ocp_token[..40]);
    assert_eq!(page.text_of("ocp-user-name").unwrap(), "user-a");
    assert!(
        page.body
            .contains("keycloak:5b0c3e4e-6f1d-4c2a-9f3b-1a2b3c4d5e6f")
    );
    assert!(page.body.contains("system:authenticated:oauth"));
    assert!(page.body.contains("<section id=\"step-2c\">"));
    assert!(
        page.body
            .contains("<li class=\"project\" data-name=\"project-a\">")
    );
    assert!(
        page.body
            .contains("<li class=\"project\" data-name=\"project-c\">")
    );
    assert!(!page.body.contains("data-name=\"project-b\""));
    assert!(
        page.body.contains("Project &lt;A&gt;"),
        "display names are escaped"
    );
    assert!(page.body.contains(&format!(
        "GET {}/apis/project.openshift.io/v1/projects",
        h.ocp.base
    )));
    assert!(page.body.contains(&format!(
        "GET {}/apis/user.openshift.io/v1/users/~",
        h.ocp.base
    )));
    assert!(page.body.contains("id=\"login-again\""));

    // The cookie is small and carries no token.
    let cookies = h.cookie_header();
    assert!(
        cookies.len() < 4096,
        "cookie header of {} bytes",
        cookies.len()
    );
    let secrets: Vec<String> = {
        let kc = h.kc.lock();
        kc.issued_access_tokens
            .iter()
            .chain(&kc.issued_id_tokens)
            .chain(&kc.exchanged_tokens)
            .cloned()
            .chain(std::iter::once(ocp_token))
            .collect()
    };
    assert_eq!(secrets.len(), 4);
    for secret in &secrets {
        assert!(!cookies.contains(secret.as_str()));
        // Nor any recognizable part (past the JWT header every token shares).
        assert!(!cookies.contains(&secret[secret.len() - 30..]));
    }

    // A second call needs a new sign-in.
    let again = h.get("/call-ocp-api").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.error().unwrap().contains("Please sign in first"));
}

#[tokio::test]
async fn state_mismatch_on_each_callback() {
    let h = Harness::start().await;
    let auth = h.start_login().await;
    let page = h
        .get("/callback/keycloak?code=abc&state=not-the-state")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let msg = page.error().unwrap();
    assert!(
        msg.contains("state mismatch") && msg.contains("CSRF"),
        "{msg}"
    );
    assert!(h.kc.lock().token_requests.is_empty(), "no code is redeemed");

    // The genuine response still works afterwards.
    let callback = h.authorize(&auth).await;
    assert_eq!(h.get(callback.as_str()).await.status, StatusCode::SEE_OTHER);

    h.start_ocp().await;
    let page = h.get("/callback/ocp?code=abc&state=not-the-state").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.error().unwrap().contains("state mismatch"));
    assert!(h.ocp.lock().token_requests.is_empty());
}

#[tokio::test]
async fn missing_code_on_each_callback() {
    let h = Harness::start().await;
    let auth = h.start_login().await;
    let state = &query(&auth)["state"];
    let page = h.get(&format!("/callback/keycloak?state={state}")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.error().unwrap().contains("no authorization code"));

    h.sign_in().await;
    let ocp_auth = h.start_ocp().await;
    let state = &query(&ocp_auth)["state"];
    let page = h.get(&format!("/callback/ocp?state={state}")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.error().unwrap().contains("no authorization code"));
}

#[tokio::test]
async fn provider_errors_are_shown_escaped() {
    let h = Harness::start().await;
    let auth = h.start_login().await;
    let state = &query(&auth)["state"];
    let page = h
        .get(&format!(
            "/callback/keycloak?error=access_denied&error_description=User+%3Cb%3Edenied%3C%2Fb%3E+consent&state={state}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let msg = page.error().unwrap();
    assert!(msg.contains("Keycloak answered with an error"), "{msg}");
    assert!(
        msg.contains("User <b>denied</b> consent (access_denied)"),
        "{msg}"
    );
    assert!(page.body.contains("User &lt;b&gt;denied&lt;/b&gt; consent"));
    assert!(!page.body.contains("<b>denied"));

    h.sign_in().await;
    let ocp_auth = h.start_ocp().await;
    let state = &query(&ocp_auth)["state"];
    let page = h
        .get(&format!(
            "/callback/ocp?error=access_denied&error_description=scope+denied&state={state}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let msg = page.error().unwrap();
    assert!(
        msg.contains("the OpenShift OAuth server answered with an error"),
        "{msg}"
    );
    assert!(msg.contains("scope denied (access_denied)"), "{msg}");
    // The step-2a result is still on the page under the message.
    assert!(page.body.contains("<section id=\"step-2a\">"));
}

#[tokio::test]
async fn replayed_callbacks_are_refused() {
    let h = Harness::start().await;
    let callback = h.sign_in().await;
    let again = h.get(callback.as_str()).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(
        again.error().unwrap().contains("already used"),
        "{:?}",
        again.error()
    );
    assert_eq!(
        h.kc.lock().token_requests.len(),
        1,
        "the code is not sent twice"
    );
    // Still signed in.
    assert_eq!(again.state().as_deref(), Some("signed-in"));

    let (done, ocp_callback) = h.ocp_raw().await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let again = h.get(ocp_callback.as_str()).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.error().unwrap().contains("already used"));
    assert_eq!(h.ocp.lock().token_requests.len(), 1);
    assert_eq!(again.state().as_deref(), Some("complete"));
}

#[tokio::test]
async fn callbacks_without_a_session_say_sign_in_again() {
    let h = Harness::start().await;
    let page = h.get("/callback/keycloak?code=abc&state=xyz").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let msg = page.error().unwrap();
    assert!(
        msg.contains("expired or was started in another browser"),
        "{msg}"
    );
    let page = h.get("/callback/ocp?code=abc&state=xyz").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.error()
            .unwrap()
            .contains("OpenShift sign-in has expired")
    );
    let page = h.get("/call-ocp-api").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.error().unwrap().contains("Please sign in first"));
}

#[tokio::test]
async fn token_exchange_refusals() {
    for (status, error, description) in [
        (400, "invalid_request", "Invalid token"),
        (
            403,
            "access_denied",
            "Client is not within the token audience",
        ),
    ] {
        let h = Harness::start().await;
        h.sign_in().await;
        h.kc.lock().exchange_error = Some((
            status,
            json!({"error": error, "error_description": description}),
        ));
        let page = h.get("/call-ocp-api").await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY);
        let msg = page.error().unwrap();
        assert!(
            msg.starts_with(&format!(
                "Keycloak refused the token exchange ({status}): {description} ({error})"
            )),
            "{msg}"
        );
        // Nothing was spent: the token is kept for a retry after fixing Keycloak.
        let cookie = h.session_cookie().unwrap();
        assert_eq!(h.app.sessions.holds_keycloak_token(&cookie), Some(true));
        assert!(h.ocp.lock().authorize_requests.is_empty());
    }
}

#[tokio::test]
async fn openshift_api_errors() {
    for (user_status, projects_status, expected) in [
        (Some(401), None, "OpenShift rejected the token (401)"),
        (None, Some(500), "The OpenShift API failed (500)"),
        (None, Some(403), "OpenShift denied permission (403)"),
    ] {
        let h = Harness::start().await;
        h.sign_in().await;
        {
            let mut ocp = h.ocp.lock();
            ocp.user_status = user_status;
            ocp.projects_status = projects_status;
        }
        let (page, _) = h.ocp_raw().await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY);
        let msg = page.error().unwrap();
        assert!(msg.starts_with(expected), "{msg}");
        // The token prefix (step 2b) is shown with what succeeded.
        assert!(page.body.contains("id=\"ocp-token-prefix\""));
        if projects_status == Some(500) {
            assert!(msg.contains("etcdserver: request timed out"), "{msg}");
            assert_eq!(page.text_of("ocp-user-name").as_deref(), Some("user-a"));
        }
    }
}

#[tokio::test]
async fn oversized_requests() {
    let h = Harness::start().await;
    let page = h
        .get(&format!(
            "/callback/keycloak?code=x&state={}",
            "s".repeat(10 * 1024)
        ))
        .await;
    assert_eq!(page.status, StatusCode::URI_TOO_LONG);
    assert!(
        page.error()
            .unwrap()
            .contains("query string exceeds 4096 bytes")
    );

    let page = h.get(&format!("/?q={}", "q".repeat(5 * 1024))).await;
    assert_eq!(page.status, StatusCode::URI_TOO_LONG);
    assert!(page.error().unwrap().contains("too long"));

    h.start_login().await;
    let page = h
        .get(&format!(
            "/callback/keycloak?code=x&state={}",
            "s".repeat(1024)
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.error()
            .unwrap()
            .contains("“state” is too long (more than 512 bytes)")
    );

    let page = h
        .get(&format!("/callback/ocp?code={}&state=x", "c".repeat(3000)))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.error()
            .unwrap()
            .contains("“code” is too long (more than 2048 bytes)")
    );
}

#[tokio::test]
async fn id_token_rejections() {
    type Knob = fn(&mut keycloak::KcState);
    let cases: [(Knob, StatusCode, &str); 4] = [
        (
            |s| s.id_token_nonce = Some("another-nonce".into()),
            StatusCode::BAD_REQUEST,
            "does not carry the nonce of this sign-in",
        ),
        (
            |s| s.id_token_aud = Some("some-other-client".into()),
            StatusCode::BAD_GATEWAY,
            "it was not issued for this app (audience)",
        ),
        (
            |s| s.sign_with_other_key = true,
            StatusCode::BAD_GATEWAY,
            "its signature does not verify",
        ),
        (
            |s| s.id_token_expired = true,
            StatusCode::BAD_GATEWAY,
            "it has expired",
        ),
    ];
    for (knob, status, expected) in cases {
        let h = Harness::start().await;
        knob(&mut h.kc.lock());
        let (page, _) = h.sign_in_raw().await;
        assert_eq!(page.status, status);
        let msg = page.error().unwrap();
        assert!(msg.contains(expected), "{msg}");
        assert_eq!(page.state().as_deref(), Some("signed-out"));
        let cookie = h.session_cookie().unwrap();
        assert_eq!(h.app.sessions.holds_keycloak_token(&cookie), Some(false));
    }
}

#[tokio::test]
async fn tampered_session_cookie_is_ignored() {
    let h = Harness::start().await;
    h.sign_in().await;
    let cookie = h.session_cookie().unwrap();
    assert_eq!(h.get("/").await.state().as_deref(), Some("signed-in"));

    let (id, sig) = cookie.split_once('.').unwrap();
    let flipped = |s: &str| {
        let mut b = s.as_bytes().to_vec();
        b[5] = if b[5] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    };
    for forged in [
        format!("{}.{sig}", flipped(id)),
        format!("{id}.{}", flipped(sig)),
        format!("{id}.{id}"),
        "not-a-session".to_string(),
    ] {
        h.set_cookie(&format!("demo_session={forged}"));
        let page = h.get("/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.state().as_deref(), Some("signed-out"), "{forged}");
        assert!(
            page.set_cookies()
                .iter()
                .any(|c| c.starts_with("demo_session=;") && c.contains("Max-Age=0"))
        );
        let page = h.get("/call-ocp-api").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
    }
    // The genuine cookie still works.
    h.set_cookie(&format!("demo_session={cookie}"));
    assert_eq!(h.get("/").await.state().as_deref(), Some("signed-in"));
}

#[tokio::test]
async fn languages() {
    let h = Harness::start().await;
    let zh = h
        .get_with("/", &[("accept-language", "zh-TW,zh;q=0.9,en;q=0.8")])
        .await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(zh.body.contains("<html lang=\"zh-TW\">"));
    assert!(zh.body.contains("使用 Keycloak SSO 登入"));
    assert!(zh.body.contains("href=\"/?lang=en\"") && zh.body.contains("href=\"/?lang=zh-TW\""));

    let en = h
        .get_with("/?lang=en", &[("accept-language", "zh-TW")])
        .await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains("Sign in with Keycloak SSO"));
    assert!(en.set_cookies().iter().any(|c| c.starts_with("lang=en;")));
    // The cookie keeps the choice over the browser's preference.
    let en = h.get_with("/", &[("accept-language", "zh-TW")]).await;
    assert!(en.body.contains("<html lang=\"en\">"));

    let zh = h.get("/?lang=zh-TW").await;
    assert!(zh.body.contains("<html lang=\"zh-TW\">"));
    // Messages are translated too.
    let page = h.get("/callback/keycloak?code=a&state=b").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.error().unwrap().contains("請重新登入"),
        "{:?}",
        page.error()
    );
    assert!(h.get("/nowhere").await.body.contains("此網址沒有頁面"));
}

#[tokio::test]
async fn tls_verify_false_shows_the_warning() {
    let h = Harness::start_with(&[("TLS_VERIFY", "false")]).await;
    let page = h.get("/").await;
    assert!(
        page.body
            .contains("<div class=\"warning\" id=\"tls-warning\"")
    );
    assert!(
        page.text_of("tls-warning")
            .unwrap()
            .contains("TLS_VERIFY=false")
    );
    let page = h.get("/nowhere").await;
    assert!(page.body.contains("id=\"tls-warning\""));
    h.sign_in().await;
    assert!(h.get("/").await.body.contains("id=\"tls-warning\""));

    let h = Harness::start().await;
    assert!(!h.get("/").await.body.contains("tls-warning"));
}

#[tokio::test]
async fn metrics_count_requests_and_upstream_calls() {
    let h = Harness::start().await;
    h.get("/").await;
    h.get("/health").await;
    h.get("/no/such/page").await;
    h.sign_in().await;
    let (done, _) = h.ocp_raw().await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    let m = h.get("/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(
        m.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    for line in [
        "demo_app_http_requests_total{route=\"/\",status=\"200\"} 1",
        "demo_app_http_requests_total{route=\"/health\",status=\"200\"} 1",
        "demo_app_http_requests_total{route=\"other\",status=\"404\"} 1",
        "demo_app_http_requests_total{route=\"/login\",status=\"303\"} 1",
        "demo_app_http_requests_total{route=\"/callback/keycloak\",status=\"303\"} 1",
        "demo_app_http_requests_total{route=\"/call-ocp-api\",status=\"303\"} 1",
        "demo_app_http_requests_total{route=\"/callback/ocp\",status=\"303\"} 1",
        "demo_app_upstream_requests_total{upstream=\"keycloak_discovery\",outcome=\"ok\"} 1",
        "demo_app_upstream_requests_total{upstream=\"keycloak_token\",outcome=\"ok\"} 1",
        "demo_app_upstream_requests_total{upstream=\"keycloak_jwks\",outcome=\"ok\"} 1",
        "demo_app_upstream_requests_total{upstream=\"keycloak_exchange\",outcome=\"ok\"} 1",
        "demo_app_upstream_requests_total{upstream=\"ocp_discovery\",outcome=\"ok\"} 1",
        "demo_app_upstream_requests_total{upstream=\"ocp_token\",outcome=\"ok\"} 1",
        "demo_app_upstream_requests_total{upstream=\"ocp_api\",outcome=\"ok\"} 2",
        "demo_app_upstream_duration_seconds_count{upstream=\"ocp_api\"} 2",
        "demo_app_upstream_duration_seconds_bucket{upstream=\"ocp_api\",le=\"+Inf\"} 2",
        "demo_app_sessions 1",
    ] {
        assert!(m.body.contains(line), "missing {line}\n{}", m.body);
    }
    assert!(
        m.body
            .contains("demo_app_upstream_duration_seconds_sum{upstream=\"keycloak_token\"}")
    );

    // Errors are counted by status too.
    h.kc.lock().exchange_error = Some((403, json!({"error": "access_denied"})));
    h.sign_in().await;
    assert_eq!(h.get("/call-ocp-api").await.status, StatusCode::BAD_GATEWAY);
    let m = h.get("/metrics").await;
    assert!(
        m.body
            .contains("demo_app_http_requests_total{route=\"/call-ocp-api\",status=\"502\"} 1")
    );
    assert!(m.body.contains(
        "demo_app_upstream_requests_total{upstream=\"keycloak_exchange\",outcome=\"http_error\"} 1"
    ));
}

#[tokio::test]
async fn health_not_found_and_methods() {
    let h = Harness::start().await;
    let page = h.get("/health").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body, r#"{"status":"ok"}"#);
    assert_eq!(page.headers["content-type"], "application/json");

    let page = h.get("/wp-admin").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.error()
            .unwrap()
            .contains("There is no page at this address")
    );

    let r = h
        .client
        .post(format!("{}/login", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, HEAD");

    // Visiting the start page signed out keeps no state on the server.
    for _ in 0..5 {
        h.get("/").await;
    }
    assert_eq!(h.app.sessions.len(), 0);
}

#[tokio::test]
async fn logout_ends_the_session_and_goes_to_keycloak() {
    let h = Harness::start().await;
    h.sign_in().await;
    let cookie = h.session_cookie().unwrap();
    let page = h.get("/logout").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let loc = page.location();
    assert!(loc.as_str().starts_with(&format!(
        "{}/protocol/openid-connect/logout?",
        h.kc.issuer()
    )));
    let q = query(&loc);
    assert_eq!(q["client_id"], keycloak::CLIENT_ID);
    assert_eq!(q["post_logout_redirect_uri"], format!("{}/", h.url));
    assert!(
        page.set_cookies()
            .iter()
            .any(|c| c.starts_with("demo_session=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(h.app.sessions.holds_keycloak_token(&cookie), None);
    assert_eq!(h.get("/").await.state().as_deref(), Some("signed-out"));
}

#[tokio::test]
async fn unreachable_keycloak_is_a_page_not_a_500() {
    // A port nothing listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{closed}");
    let h = Harness::start_with(&[("KC_BASE_URL", &base)]).await;
    let page = h.get("/login").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    let msg = page.error().unwrap();
    assert!(
        msg.starts_with(&format!("Could not reach Keycloak at 127.0.0.1:{closed}")),
        "{msg}"
    );
    assert_eq!(
        h.app.sessions.len(),
        0,
        "no session for a sign-in that cannot start"
    );

    // https to a server that does not speak TLS: the message points at TLS and CA_BUNDLE.
    let h = Harness::start().await;
    let https = h.kc.base.replace("http://", "https://");
    let h2 = Harness::start_with(&[("KC_BASE_URL", &https)]).await;
    let page = h2.get("/login").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    let msg = page.error().unwrap();
    assert!(
        msg.contains("Could not reach Keycloak") && msg.contains("CA_BUNDLE"),
        "{msg}"
    );
}

#[tokio::test]
async fn openshift_oauth_url_is_the_fallback_of_discovery() {
    let h0 = Harness::start().await;
    let h = Harness::start_with(&[("OCP_OAUTH_URL", &h0.ocp.base.clone())]).await;
    // Discovery on h's fake fails; the OAuth server of OCP_OAUTH_URL is used instead.
    h.ocp.lock().discovery_status = Some(404);
    h.sign_in().await;
    let auth = h.start_ocp().await;
    assert!(
        auth.as_str()
            .starts_with(&format!("{}/oauth/authorize?", h0.ocp.base))
    );

    // Without OCP_OAUTH_URL, the failed discovery is reported before the exchange.
    let h = Harness::start().await;
    h.ocp.lock().discovery_status = Some(404);
    h.sign_in().await;
    let page = h.get("/call-ocp-api").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    let msg = page.error().unwrap();
    assert!(
        msg.contains("Could not read the configuration of the OpenShift OAuth server"),
        "{msg}"
    );
    assert!(
        h.kc.lock().exchange_subjects.is_empty(),
        "the token is not spent"
    );
}

#[test]
fn missing_environment_variable_is_named() {
    let full: std::collections::HashMap<&str, &str> = [
        ("KC_BASE_URL", "https://kc.example:18443"),
        ("KC_CLIENT_SECRET", "s-one-secret-value"),
        ("KC_OCP_CLIENT_SECRET", "s-two-secret-value"),
        ("OCP_API_URL", "https://api.example:6443"),
        ("OCP_OAUTH_CLIENT_SECRET", "s-three-secret-value"),
    ]
    .into_iter()
    .collect();
    for missing in full.keys() {
        let err = demo_app::Settings::from_lookup(|k| {
            (k != *missing)
                .then(|| full.get(k).map(|v| v.to_string()))
                .flatten()
        })
        .unwrap_err();
        assert_eq!(err, demo_app::SettingsError::Missing(missing));
        assert_eq!(
            err.to_string(),
            format!("missing required environment variable {missing}")
        );
    }
}

#[test]
fn the_binary_exits_2_naming_the_variable() {
    let bin = env!("CARGO_BIN_EXE_demo-app");
    let out = std::process::Command::new(bin)
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("KC_BASE_URL"), "{stderr}");

    let out = std::process::Command::new(bin)
        .env_clear()
        .env("KC_BASE_URL", "https://kc.example")
        .env("KC_CLIENT_SECRET", "very-secret-value-1")
        .env("OCP_API_URL", "https://api.example:6443")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("KC_OCP_CLIENT_SECRET"), "{stderr}");
    assert!(!stderr.contains("very-secret-value-1"));

    let out = std::process::Command::new(bin)
        .env_clear()
        .env("KC_BASE_URL", "https://kc.example")
        .env("KC_CLIENT_SECRET", "x")
        .env("KC_OCP_CLIENT_SECRET", "y")
        .env("OCP_API_URL", "https://api.example:6443")
        .env("OCP_OAUTH_CLIENT_SECRET", "z")
        .env("CA_BUNDLE", "/nonexistent/ca.pem")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("demo-app: CA_BUNDLE: cannot use /nonexistent/ca.pem"),
        "{stderr}"
    );
}

#[test]
fn ca_bundle_without_certificates_is_refused() {
    let path = std::env::temp_dir().join(format!("demo-app-test-{}.pem", std::process::id()));
    std::fs::write(&path, "this is not a certificate\n").unwrap();
    let p = path.display().to_string();
    let err = demo_app::Settings::from_lookup(|k| match k {
        "KC_BASE_URL" => Some("https://kc.example".into()),
        "OCP_API_URL" => Some("https://api.example".into()),
        "KC_CLIENT_SECRET" | "KC_OCP_CLIENT_SECRET" | "OCP_OAUTH_CLIENT_SECRET" => Some("s".into()),
        "CA_BUNDLE" => Some(p.clone()),
        _ => None,
    })
    .unwrap_err();
    let _ = std::fs::remove_file(&path);
    assert!(err.to_string().contains("CA_BUNDLE"), "{err}");
}

#[tokio::test]
async fn ca_bundle_decides_upstream_trust() {
    // Trusting the fake's private CA: the whole sign-in runs over https.
    let tls = crate::support::tls::Tls::new();
    let ca = tls.write_ca("trusted");
    let h = Harness::start_full(Some(tls), &[("CA_BUNDLE", ca.to_str().unwrap())]).await;
    assert!(h.kc.base.starts_with("https://"));
    h.sign_in().await;
    assert_eq!(h.get("/").await.state().as_deref(), Some("signed-in"));

    // The system roots do not know that CA: the page says TLS failed and names CA_BUNDLE.
    let h = Harness::start_full(Some(crate::support::tls::Tls::new()), &[]).await;
    let page = h.get("/login").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    let msg = page.error().unwrap();
    assert!(
        msg.starts_with("Could not reach Keycloak at 127.0.0.1:"),
        "{msg}"
    );
    assert!(msg.contains("certificate"), "{msg}");
    assert!(
        msg.contains("TLS verification failed") && msg.contains("CA_BUNDLE"),
        "{msg}"
    );

    // Another CA in CA_BUNDLE: refused too.
    let h = Harness::start_full(
        Some(crate::support::tls::Tls::new()),
        &[("CA_BUNDLE", ca.to_str().unwrap())],
    )
    .await;
    let page = h.get("/login").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert!(page.error().unwrap().contains("TLS verification failed"));
    let m = h.get("/metrics").await;
    assert!(m.body.contains(
        "demo_app_upstream_requests_total{upstream=\"keycloak_discovery\",outcome=\"network_error\"} 1"
    ));

    // TLS_VERIFY=false accepts it, and says so on the page.
    let h = Harness::start_full(
        Some(crate::support::tls::Tls::new()),
        &[("TLS_VERIFY", "false")],
    )
    .await;
    h.sign_in().await;
    let page = h.get("/").await;
    assert_eq!(page.state().as_deref(), Some("signed-in"));
    assert!(page.body.contains("id=\"tls-warning\""));
    let _ = std::fs::remove_file(ca);
}
