//! The OAuth server without an external identity provider: metadata, authorize-request
//! validation, the provider choice, the token endpoint, and ID-token validation.

use crate::support::TestSim;
use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};
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

fn signing_key(kid: &str) -> (EncodingKey, Jwk) {
    let pair = rcgen::KeyPair::generate().unwrap();
    let key = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
    jwk.common.key_id = Some(kid.to_string());
    (key, jwk)
}

fn id_token(key: &EncodingKey, kid: &str, claims: Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, &claims, key).unwrap()
}

#[test]
fn id_tokens_are_verified() {
    use ocp_sim::validate_id_token;
    let issuer = "https://idp.example/realms/demo";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"iss": issuer, "aud": "ocp", "sub": "123", "exp": now + 300, "preferred_username": "alice"});
    let (key, jwk) = signing_key("k1");
    let (other_key, _) = signing_key("k1");

    let ok = validate_id_token(
        &id_token(&key, "k1", claims.clone()),
        std::slice::from_ref(&jwk),
        issuer,
        "ocp",
    )
    .unwrap();
    assert_eq!(ok["preferred_username"], "alice");

    let forged = validate_id_token(
        &id_token(&other_key, "k1", claims.clone()),
        std::slice::from_ref(&jwk),
        issuer,
        "ocp",
    )
    .unwrap_err();
    assert!(forged.contains("signature"), "{forged}");
    let wrong_aud = validate_id_token(
        &id_token(&key, "k1", claims.clone()),
        std::slice::from_ref(&jwk),
        issuer,
        "other",
    )
    .unwrap_err();
    assert!(wrong_aud.contains("aud"), "{wrong_aud}");
    let wrong_iss = validate_id_token(
        &id_token(&key, "k1", claims.clone()),
        std::slice::from_ref(&jwk),
        "https://elsewhere",
        "ocp",
    )
    .unwrap_err();
    assert!(wrong_iss.contains("iss"), "{wrong_iss}");
    let mut expired = claims.clone();
    expired["exp"] = json!(now - 3600);
    let stale = validate_id_token(
        &id_token(&key, "k1", expired),
        std::slice::from_ref(&jwk),
        issuer,
        "ocp",
    )
    .unwrap_err();
    assert!(stale.contains("expired"), "{stale}");
    let unknown_kid = validate_id_token(
        &id_token(&key, "k2", claims),
        std::slice::from_ref(&jwk),
        issuer,
        "ocp",
    )
    .unwrap_err();
    assert!(unknown_kid.contains("key id"), "{unknown_kid}");
}
