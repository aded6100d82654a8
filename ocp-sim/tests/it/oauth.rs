//! The OAuth server without Keycloak: metadata, authorize-request
//! validation, the provider choice, the token endpoint, ID-token decoding, and logins
//! through a scripted OpenID provider.

use crate::support::TestSim;
use ocp_sim::{AuthorizeRequest, LoggedIn};
use serde_json::{Value, json};

const REDIRECT: &str = "https://app.example/callback";

async fn get_oauth(sim: &TestSim, path_and_query: &str) -> reqwest::Response {
    sim.http
        .get(format!("{}{path_and_query}", sim.running.oauth_url))
        .send()
        .await
        .unwrap()
}

fn location(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
}

#[tokio::test]
async fn metadata_is_served_by_both_servers() {
    let sim = TestSim::start().await;
    let from_oauth: Value = get_oauth(&sim, "/.well-known/oauth-authorization-server")
        .await
        .json()
        .await
        .unwrap();
    let (_, from_api) = sim.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(from_oauth, from_api);
    let oauth = sim.running.oauth_url.as_str();
    assert_eq!(from_api["issuer"], oauth);
    assert_eq!(
        from_api["authorization_endpoint"],
        format!("{oauth}/oauth/authorize")
    );
    assert_eq!(from_api["token_endpoint"], format!("{oauth}/oauth/token"));
    assert_eq!(
        from_api["code_challenge_methods_supported"],
        json!(["plain", "S256"])
    );
    assert!(
        from_api["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("user:full"))
    );
}

#[tokio::test]
async fn authorize_validates_client_and_redirect_uri_first() {
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    let redirect = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>();

    let unknown = get_oauth(
        &sim,
        &format!("/oauth/authorize?client_id=nope&redirect_uri={redirect}&response_type=code"),
    )
    .await;
    assert_eq!(unknown.status(), 400);
    assert!(
        location(&unknown).is_none(),
        "never redirects for an unknown client"
    );
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("unauthorized_client")
    );

    let evil =
        url::form_urlencoded::byte_serialize(b"https://evil.example/steal").collect::<String>();
    let wrong = get_oauth(
        &sim,
        &format!("/oauth/authorize?client_id=app&redirect_uri={evil}&response_type=code&state=x"),
    )
    .await;
    assert_eq!(wrong.status(), 400);
    assert!(
        location(&wrong).is_none(),
        "never redirects to an unregistered URI"
    );
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("is not one of the redirectURIs")
    );
    assert_eq!(
        get_oauth(&sim, "/oauth/authorize?client_id=app&response_type=code")
            .await
            .status(),
        400
    );

    let token_flow = get_oauth(
        &sim,
        &format!(
            "/oauth/authorize?client_id=app&redirect_uri={redirect}&response_type=token&state=s1"
        ),
    )
    .await;
    assert_eq!(token_flow.status(), 302);
    let to = location(&token_flow).unwrap();
    assert!(
        to.starts_with(&format!("{REDIRECT}?error=unsupported_response_type"))
            && to.ends_with("state=s1"),
        "{to}"
    );

    let bad_scope = get_oauth(&sim, &format!("/oauth/authorize?client_id=app&redirect_uri={redirect}&response_type=code&scope=everything")).await;
    assert!(
        location(&bad_scope)
            .unwrap()
            .contains("error=invalid_scope")
    );

    // One provider (the initial htpasswd) and no idp: straight to it.
    let single = get_oauth(
        &sim,
        &format!("/oauth/authorize?client_id=app&redirect_uri={redirect}&response_type=code"),
    )
    .await;
    assert_eq!(single.status(), 200);
    assert!(single.text().await.unwrap().contains("cannot log users in"));
}

#[tokio::test]
async fn unknown_idp_is_unable_to_locate_redirect_handler() {
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    let redirect = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>();
    let base = format!("/oauth/authorize?client_id=app&redirect_uri={redirect}&response_type=code");

    let ghost = get_oauth(&sim, &format!("{base}&idp=ghost")).await;
    assert_eq!(ghost.status(), 500);
    assert!(location(&ghost).is_none());
    assert_eq!(
        ghost.headers()["content-type"].to_str().unwrap(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        ghost.text().await.unwrap(),
        "Error: Unable to locate redirect handler: ghost"
    );

    // The name is echoed HTML-escaped, as Go's html.EscapeString spells it.
    let hostile = url::form_urlencoded::byte_serialize(b"a<b>&\"c'").collect::<String>();
    let escaped = get_oauth(&sim, &format!("{base}&idp={hostile}")).await;
    assert_eq!(escaped.status(), 500);
    assert_eq!(
        escaped.text().await.unwrap(),
        "Error: Unable to locate redirect handler: a&lt;b&gt;&amp;&#34;c&#39;"
    );
}

#[tokio::test]
async fn several_providers_get_a_choice_page_and_idp_goes_straight() {
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    let (code, _) = sim
        .post(
            "/api/v1/namespaces/openshift-config/secrets",
            json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "kc-secret"}, "stringData": {"clientSecret": "x"}}),
        )
        .await;
    assert_eq!(code, 201);
    let (code, body) = sim
        .patch("/apis/config.openshift.io/v1/oauths/cluster", "application/merge-patch+json", json!({"spec": {"identityProviders": [
            {"name": "htpasswd", "mappingMethod": "claim", "type": "HTPasswd", "htpasswd": {"fileData": {"name": "htpass-secret"}}},
            {"name": "kc", "mappingMethod": "claim", "type": "OpenID",
             "openID": {"clientID": "ocp", "clientSecret": {"name": "kc-secret"}, "issuer": "https://127.0.0.1:1/realms/x"}},
            {"name": "broken", "mappingMethod": "claim", "type": "OpenID",
             "openID": {"clientID": "ocp", "clientSecret": {"name": "missing"}, "issuer": "https://127.0.0.1:1/realms/x"}}
        ]}}))
        .await;
    assert_eq!(code, 200, "{body}");
    let redirect = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>();
    let base = format!(
        "/oauth/authorize?client_id=app&redirect_uri={redirect}&response_type=code&state=abc"
    );

    let choice = get_oauth(&sim, &base).await;
    assert_eq!(choice.status(), 200);
    let html = choice.text().await.unwrap();
    let links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .collect();
    assert_eq!(links.len(), 3, "{html}");
    assert!(
        links[0].ends_with("idp=htpasswd") && links[1].ends_with("idp=kc"),
        "{links:?}"
    );
    assert!(links[1].contains("client_id=app") && links[1].contains("state=abc"));

    // Following a link goes straight to that provider (here: its discovery fails).
    let straight = get_oauth(&sim, &links[1]).await;
    assert_eq!(straight.status(), 500);
    let page = straight.text().await.unwrap();
    assert!(
        page.contains("https://127.0.0.1:1/realms/x/.well-known/openid-configuration"),
        "{page}"
    );
    let broken = get_oauth(&sim, &format!("{base}&idp=broken")).await;
    assert_eq!(broken.status(), 500);
    assert!(
        broken
            .text()
            .await
            .unwrap()
            .contains("secret openshift-config/missing not found")
    );
}

async fn token_request(
    sim: &TestSim,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut req = sim
        .http
        .post(format!("{}/oauth/token", sim.running.oauth_url))
        .form(form);
    if let Some((user, pass)) = basic {
        req = req.basic_auth(user, Some(pass));
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn request(challenge: Option<(&str, &str)>, scopes: &[&str]) -> AuthorizeRequest {
    AuthorizeRequest {
        client_id: "app".into(),
        redirect_uri: REDIRECT.into(),
        state: Some("st".into()),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        code_challenge: challenge.map(|c| c.0.to_string()),
        code_challenge_method: challenge.map(|c| c.1.to_string()),
    }
}

#[tokio::test]
async fn token_endpoint_checks_client_code_and_pkce() {
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    let (code, user) = sim
        .post("/apis/user.openshift.io/v1/users", json!({"apiVersion": "user.openshift.io/v1", "kind": "User", "metadata": {"name": "tok-user"}}))
        .await;
    assert_eq!(code, 201);
    let who = LoggedIn {
        name: "tok-user".into(),
        uid: user["metadata"]["uid"].as_str().unwrap().into(),
    };
    // The code is what a completed login leaves behind; inserted directly here.
    sim.running
        .add_authorization_code("code-1", request(None, &["user:full"]), who.clone());
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", "code-1"),
        ("redirect_uri", REDIRECT),
    ];

    let (status, body) = token_request(&sim, &grant, Some(("app", "wrong"))).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized_client");
    let (status, body) =
        token_request(&sim, &[("grant_type", "password")], Some(("app", "s3cret"))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let (status, body) = token_request(&sim, &grant, Some(("app", "s3cret"))).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_string();
    let random = token.strip_prefix("sha256~").expect("sha256~ prefix");
    assert_eq!(random.len(), 43);
    assert!(
        random
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86400);
    assert_eq!(body["scope"], "user:full");

    let (status, body) = token_request(&sim, &grant, Some(("app", "s3cret"))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "a code is single use"
    );

    let (code, me) = sim
        .get_as(&token, "/apis/user.openshift.io/v1/users/~")
        .await;
    assert_eq!(code, 200);
    assert_eq!(me["metadata"]["name"], "tok-user");
    assert!(
        me["groups"]
            .as_array()
            .unwrap()
            .contains(&json!("system:authenticated:oauth"))
    );
    crate::support::assert_status(
        &sim.get_as(&token, "/apis/config.openshift.io/v1/oauths/cluster")
            .await,
        403,
        "Forbidden",
    );

    // Client credentials in the form work too; the redirect URI must match.
    sim.running
        .add_authorization_code("code-2", request(None, &["user:full"]), who.clone());
    let (status, _) = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", "code-2"),
            ("redirect_uri", "https://app.example/other"),
            ("client_id", "app"),
            ("client_secret", "s3cret"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 400);

    // PKCE (S256).
    let verifier = "a-verifier-that-is-long-enough-to-be-valid-0123456789";
    let challenge = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()))
    };
    for (code, sent, expected) in [
        ("p1", None, 400),
        ("p2", Some("wrong-verifier"), 400),
        ("p3", Some(verifier), 200),
    ] {
        sim.running.add_authorization_code(
            code,
            request(Some((&challenge, "S256")), &["user:full"]),
            who.clone(),
        );
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(v) = sent {
            form.push(("code_verifier", v));
        }
        let (status, body) = token_request(&sim, &form, Some(("app", "s3cret"))).await;
        assert_eq!(status, expected, "{code}: {body}");
    }

    // A narrower scope limits what the token may do.
    sim.running
        .add_authorization_code("info", request(None, &["user:info"]), who.clone());
    let (_, body) = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", "info"),
            ("redirect_uri", REDIRECT),
        ],
        Some(("app", "s3cret")),
    )
    .await;
    let info_token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        sim.get_as(&info_token, "/apis/user.openshift.io/v1/users/~")
            .await
            .0,
        200
    );
    let scoped = sim
        .get_as(&info_token, "/apis/project.openshift.io/v1/projects")
        .await;
    crate::support::assert_status(&scoped, 403, "Forbidden");
    assert!(
        scoped.1["message"]
            .as_str()
            .unwrap()
            .contains("scopes [user:info] prevent this action")
    );

    // Deleting the user kills its tokens.
    assert_eq!(
        sim.delete("/apis/user.openshift.io/v1/users/tok-user")
            .await
            .0,
        200
    );
    crate::support::assert_status(
        &sim.get_as(&token, "/apis/user.openshift.io/v1/users/~")
            .await,
        401,
        "Unauthorized",
    );
}

#[tokio::test]
async fn tokens_survive_a_restart() {
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    let (_, user) = sim
        .post("/apis/user.openshift.io/v1/users", json!({"apiVersion": "user.openshift.io/v1", "kind": "User", "metadata": {"name": "keeper"}}))
        .await;
    let who = LoggedIn {
        name: "keeper".into(),
        uid: user["metadata"]["uid"].as_str().unwrap().into(),
    };
    sim.running
        .add_authorization_code("c", request(None, &["user:full"]), who);
    let (_, body) = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", "c"),
            ("redirect_uri", REDIRECT),
        ],
        Some(("app", "s3cret")),
    )
    .await;
    let token = body["access_token"].as_str().unwrap().to_string();
    let TestSim { running, dir, .. } = sim;
    drop(running);
    let again = TestSim::start_in(dir, &[]).await;
    let (code, me) = again
        .get_as(&token, "/apis/user.openshift.io/v1/users/~")
        .await;
    assert_eq!(code, 200);
    assert_eq!(me["metadata"]["name"], "keeper");
}

#[test]
fn id_tokens_are_decoded_without_verification() {
    use crate::support::fake_idp::unsigned_jwt as unsigned;
    use ocp_sim::id_token_claims;
    let claims = id_token_claims(&unsigned(&json!({"sub": "123", "name": "Ann"}))).unwrap();
    assert_eq!(claims["name"], "Ann");
    // Padded base64url is read too.
    let padded = {
        let t = unsigned(&json!({"sub": "1"}));
        let mut parts: Vec<String> = t.split('.').map(String::from).collect();
        while !parts[1].len().is_multiple_of(4) {
            parts[1].push('=');
        }
        parts.join(".")
    };
    assert_eq!(id_token_claims(&padded).unwrap()["sub"], "1");
    let two_parts = id_token_claims("a.b").unwrap_err();
    assert!(two_parts.contains("expected 3 parts, got 2"), "{two_parts}");
    let no_sub = id_token_claims(&unsigned(&json!({"name": "Ann"}))).unwrap_err();
    assert!(no_sub.contains("'sub'"), "{no_sub}");
    let not_json = id_token_claims("e30.bm90IGpzb24.c2ln").unwrap_err();
    assert!(not_json.contains("JSON"), "{not_json}");
}

// ---- Logins through a scripted OpenID provider (no Keycloak needed) ----

use crate::support::fake_idp::{self, FakeIdp, Script};

/// `sim` trusts `idp` as OpenID provider `fake` with `mapping_method`.
async fn use_fake_idp(sim: &TestSim, idp: &FakeIdp, mapping_method: &str) {
    let (code, body) = sim
        .post(
            "/api/v1/namespaces/openshift-config/secrets",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "fake-secret"},
                "stringData": {"clientSecret": fake_idp::CLIENT_SECRET}}),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    let (code, body) = sim
        .post(
            "/api/v1/namespaces/openshift-config/configmaps",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fake-ca"},
                "data": {"ca.crt": idp.ca_pem}}),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    let (code, body) = sim
        .patch("/apis/config.openshift.io/v1/oauths/cluster", "application/merge-patch+json", json!({"spec": {"identityProviders": [
            {"name": "fake", "mappingMethod": mapping_method, "type": "OpenID", "openID": {
                "clientID": fake_idp::CLIENT_ID, "clientSecret": {"name": "fake-secret"}, "ca": {"name": "fake-ca"},
                "issuer": idp.issuer,
                "claims": {"preferredUsername": ["preferred_username"], "name": ["name"], "email": ["email"]}}}
        ]}}))
        .await;
    assert_eq!(code, 200, "{body}");
}

/// Authorize through `fake`, then come back to the callback as the provider would send
/// the browser; returns the callback's answer.
async fn fake_login(sim: &TestSim, idp: &FakeIdp) -> reqwest::Response {
    let redirect = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>();
    let start = get_oauth(
        sim,
        &format!("/oauth/authorize?client_id=app&redirect_uri={redirect}&response_type=code&state=app-state&idp=fake"),
    )
    .await;
    assert_eq!(start.status(), 302, "{:?}", start.text().await);
    let to = url::Url::parse(&location(&start).unwrap()).unwrap();
    assert!(
        to.as_str().starts_with(&format!("{}/auth?", idp.issuer)),
        "{to}"
    );
    let state = to
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    get_oauth(
        sim,
        &format!("/oauth2callback/fake?code=idp-code&state={state}"),
    )
    .await
}

#[track_caller]
fn assert_code_redirect(resp: &reqwest::Response) {
    assert_eq!(resp.status(), 302);
    let to = location(resp).unwrap();
    assert!(to.starts_with(&format!("{REDIRECT}?code=sha256")), "{to}");
    assert!(to.ends_with("&state=app-state"), "{to}");
}

async fn fake_login_fails(sim: &TestSim, idp: &FakeIdp, needle: &str) {
    let resp = fake_login(sim, idp).await;
    assert_eq!(resp.status(), 500);
    let page = resp
        .text()
        .await
        .unwrap()
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert!(page.contains(needle), "{needle:?} not in {page}");
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn openid_id_token_is_decoded_not_verified_and_userinfo_merged() {
    // Signed by no known key, another issuer, another audience, long expired: the
    // OAuth server checks none of these; only `sub` is required.
    let idp = FakeIdp::start(Script {
        id_token_claims: json!({"iss": "https://someone.else", "aud": "not-us", "exp": unix_now() - 86400,
            "sub": "s-1", "preferred_username": "from-token", "name": "Token Name"}),
        ..Script::default()
    })
    .await;
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    use_fake_idp(&sim, &idp, "claim").await;

    assert_code_redirect(&fake_login(&sim, &idp).await);
    let calls = idp.script.lock().unwrap().token_calls.clone();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].form["code"], "idp-code");
    assert!(
        calls[0].authorization_header.is_some() || calls[0].form.contains_key("client_secret"),
        "the client authenticates at the token endpoint"
    );
    let (code, user) = sim.get("/apis/user.openshift.io/v1/users/from-token").await;
    assert_eq!(code, 200, "{user}");
    assert_eq!(user["identities"], json!(["fake:s-1"]));
    assert_eq!(user["fullName"], "Token Name");
    assert!(idp.script.lock().unwrap().userinfo_calls.is_empty());

    // With a userinfo endpoint its claims win over the ID token's.
    {
        let mut script = idp.script.lock().unwrap();
        script.id_token_claims = json!({"sub": "s-2", "preferred_username": "token-two"});
        script.userinfo = Some(
            json!({"sub": "s-2", "preferred_username": "info-two", "email": "two@example.com"}),
        );
    }
    assert_code_redirect(&fake_login(&sim, &idp).await);
    assert_eq!(
        idp.script.lock().unwrap().userinfo_calls,
        ["Bearer idp-access-token"]
    );
    let (code, ident) = sim
        .get("/apis/user.openshift.io/v1/identities/fake:s-2")
        .await;
    assert_eq!(code, 200, "{ident}");
    assert_eq!(ident["user"]["name"], "info-two");
    assert_eq!(ident["extra"]["email"], "two@example.com");
    assert_eq!(ident["extra"]["preferred_username"], "info-two");

    // The userinfo subject must be the ID token's.
    idp.script.lock().unwrap().userinfo = Some(json!({"sub": "someone-else"}));
    fake_login_fails(&sim, &idp, "did not match id_token").await;
    idp.script.lock().unwrap().userinfo = Some(json!({"preferred_username": "no-sub"}));
    fake_login_fails(
        &sim,
        &idp,
        "userinfo response did not contain a 'sub' claim",
    )
    .await;

    // Without sub in the ID token nothing else matters.
    {
        let mut script = idp.script.lock().unwrap();
        script.userinfo = None;
        script.id_token_claims = json!({"preferred_username": "nobody"});
    }
    fake_login_fails(&sim, &idp, "id_token did not contain a 'sub' claim").await;
}

#[tokio::test]
async fn idp_token_endpoint_gets_the_client_credentials_in_the_form() {
    let idp = FakeIdp::start(Script {
        id_token_claims: json!({"sub": "s-1", "preferred_username": "poster"}),
        refuse_basic: true,
        ..Script::default()
    })
    .await;
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    use_fake_idp(&sim, &idp, "claim").await;

    let resp = fake_login(&sim, &idp).await;
    let calls = idp.script.lock().unwrap().token_calls.clone();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].authorization_header, None,
        "no HTTP Basic: the credentials go in the form body"
    );
    let form = &calls[0].form;
    let callback = format!("{}/oauth2callback/fake", sim.running.oauth_url);
    for (key, value) in [
        ("grant_type", "authorization_code"),
        ("code", "idp-code"),
        ("redirect_uri", callback.as_str()),
        ("client_id", fake_idp::CLIENT_ID),
        ("client_secret", fake_idp::CLIENT_SECRET),
    ] {
        assert_eq!(form.get(key).map(String::as_str), Some(value), "{form:?}");
    }
    // The provider refuses HTTP Basic, so the login works only this way.
    assert_code_redirect(&resp);
}

#[tokio::test]
async fn claim_maps_an_existing_user_without_identities() {
    let idp = FakeIdp::start(Script {
        id_token_claims: json!({"sub": "s-9", "preferred_username": "precreated", "name": "Pre Created"}),
        ..Script::default()
    })
    .await;
    let sim = TestSim::start().await;
    sim.add_oauth_client("app", "s3cret", REDIRECT).await;
    use_fake_idp(&sim, &idp, "claim").await;
    let (code, before) = sim
        .post(
            "/apis/user.openshift.io/v1/users",
            json!({"apiVersion": "user.openshift.io/v1", "kind": "User",
            "metadata": {"name": "precreated"}}),
        )
        .await;
    assert_eq!(code, 201, "{before}");

    assert_code_redirect(&fake_login(&sim, &idp).await);
    let (_, user) = sim.get("/apis/user.openshift.io/v1/users/precreated").await;
    assert_eq!(user["metadata"]["uid"], before["metadata"]["uid"]);
    assert_eq!(user["identities"], json!(["fake:s-9"]));
    assert_eq!(user["fullName"], "Pre Created");
    let (_, ident) = sim
        .get("/apis/user.openshift.io/v1/identities/fake:s-9")
        .await;
    assert_eq!(ident["user"]["name"], "precreated");
    assert_eq!(ident["user"]["uid"], before["metadata"]["uid"]);

    // A user that already has another identity is still refused.
    let (code, _) = sim
        .post(
            "/apis/user.openshift.io/v1/users",
            json!({"apiVersion": "user.openshift.io/v1", "kind": "User",
            "metadata": {"name": "taken"}, "identities": ["htpasswd:taken"]}),
        )
        .await;
    assert_eq!(code, 201);
    idp.script.lock().unwrap().id_token_claims =
        json!({"sub": "s-10", "preferred_username": "taken"});
    fake_login_fails(
        &sim,
        &idp,
        "user \"taken\" cannot be claimed by identity \"fake:s-10\" because it is already mapped to [htpasswd:taken]",
    )
    .await;
}

/// The authorize answer for `redirect_uri` with `response_type=token` (unsupported):
/// an accepted URI gets the error sent back to it (the Location shows the URI the
/// server settled on), a refused one an error page.
async fn redirect_verdict(sim: &TestSim, redirect_uri: &str) -> Result<String, String> {
    let encoded = url::form_urlencoded::byte_serialize(redirect_uri.as_bytes()).collect::<String>();
    let resp = get_oauth(
        sim,
        &format!("/oauth/authorize?client_id=subpaths&redirect_uri={encoded}&response_type=token"),
    )
    .await;
    match resp.status().as_u16() {
        302 => {
            let to = location(&resp).unwrap();
            let (base, _) = to
                .split_once("error=unsupported_response_type")
                .unwrap_or_else(|| panic!("{to}"));
            Ok(base.trim_end_matches(['?', '&']).to_string())
        }
        400 => {
            let page = resp.text().await.unwrap();
            assert!(page.contains("is not one of the redirectURIs"), "{page}");
            Err(page)
        }
        other => panic!("{redirect_uri}: unexpected {other}"),
    }
}

#[tokio::test]
async fn redirect_uris_match_like_osin() {
    let sim = TestSim::start().await;
    let (code, body) = sim
        .post(
            "/apis/oauth.openshift.io/v1/oauthclients",
            json!({"apiVersion": "oauth.openshift.io/v1", "kind": "OAuthClient",
                "metadata": {"name": "subpaths"}, "secret": "s3cret", "grantMethod": "auto",
                "redirectURIs": ["https://app.example/callback", "http://127.0.0.1/loop", "https://root.example"]}),
        )
        .await;
    assert_eq!(code, 201, "{body}");

    for (sent, settled) in [
        // Exact, a sub-path, a query string.
        (
            "https://app.example/callback",
            "https://app.example/callback",
        ),
        (
            "https://app.example/callback/deeper/still",
            "https://app.example/callback/deeper/still",
        ),
        (
            "https://app.example/callback?tenant=a",
            "https://app.example/callback?tenant=a",
        ),
        (
            "https://app.example/callback/",
            "https://app.example/callback/",
        ),
        // Dot segments are resolved before the path is compared.
        (
            "https://app.example/callback/x/../y",
            "https://app.example/callback/y",
        ),
        // A registered http loopback IP without port: any port, any loopback IP.
        ("http://127.0.0.1:43117/loop", "http://127.0.0.1:43117/loop"),
        (
            "http://127.0.0.2:8080/loop/sub",
            "http://127.0.0.2:8080/loop/sub",
        ),
        ("http://[::1]:9000/loop", "http://[::1]:9000/loop"),
        // A registered URI without path allows every path on that host.
        (
            "https://root.example/any/where",
            "https://root.example/any/where",
        ),
    ] {
        assert_eq!(
            redirect_verdict(&sim, sent).await.as_deref(),
            Ok(settled),
            "{sent} should be accepted"
        );
    }

    for refused in [
        "http://app.example/callback",           // scheme
        "https://evil.example/callback",         // host
        "https://app.example:8443/callback",     // port of a non-loopback host
        "https://APP.example/callback",          // host compared as written
        "https://app.example/callbackx",         // only a prefix of the segment
        "https://app.example/other",             // another path
        "https://app.example/callback/../other", // traversal out of the path
        "https://app.example/callback#frag",     // fragment
        "https://127.0.0.1:8443/loop",           // loopback rule is for http only
        "http://localhost:43117/loop",           // localhost is not an IP
        "http://127.0.0.1:43117/other",          // loopback still checks the path
        "http://10.0.0.1/loop",                  // not loopback
        "https://app.example/callback/%zz",      // does not parse
    ] {
        assert!(
            redirect_verdict(&sim, refused).await.is_err(),
            "{refused} should be refused"
        );
    }

    // The token request's redirect_uri is settled the same way before it is compared
    // with the one the code was issued for.
    let (_, user) = sim
        .post("/apis/user.openshift.io/v1/users", json!({"apiVersion": "user.openshift.io/v1", "kind": "User", "metadata": {"name": "sub-user"}}))
        .await;
    let who = LoggedIn {
        name: "sub-user".into(),
        uid: user["metadata"]["uid"].as_str().unwrap().into(),
    };
    let mut issued = request(None, &["user:full"]);
    issued.client_id = "subpaths".into();
    issued.redirect_uri = "https://app.example/callback/y".into();
    sim.running.add_authorization_code("sub-code", issued, who);
    let (status, body) = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", "sub-code"),
            ("redirect_uri", "https://app.example/callback/x/../y"),
        ],
        Some(("subpaths", "s3cret")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
