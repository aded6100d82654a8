//! End to end against a real Keycloak 26: the OpenShift login flow through the
//! simulator's OAuth server, then the API with the issued token; followed by the
//! misconfigurations a real cluster fails on. One Keycloak serves every case.

use crate::support::TestSim;
use crate::support::keycloak::{self, Keycloak};
use serde_json::{Value, json};

const CLIENT: &str = "third-party-demo";
const CLIENT_SECRET: &str = "demo-client-secret";
const APP_REDIRECT: &str = "http://localhost:8080/callback/ocp";
const OAUTH: &str = "/apis/config.openshift.io/v1/oauths/cluster";
const PASSWORD: &str = "demo-password-1";

/// A browser: trusts both CAs, keeps cookies, follows nothing by itself.
fn browser(sim: &TestSim, kc: &Keycloak) -> reqwest::Client {
    let certs = [&sim.running.ca_pem, &kc.ca_pem]
        .into_iter()
        .map(|pem| reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    reqwest::Client::builder()
        .tls_certs_only(certs)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[derive(Debug)]
enum Login {
    Code(String),
    /// The grant approval page of a `prompt` client, with its form id.
    Approval(String),
    Failed {
        step: &'static str,
        status: u16,
        body: String,
    },
}

fn location(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(String::from)
}

fn unescape(html: &str) -> String {
    html.replace("&amp;", "&")
        .replace("&#x3D;", "=")
        .replace("&quot;", "\"")
}

/// The `action` of Keycloak's login form (`id="kc-form-login"`).
fn login_form_action(html: &str) -> Option<String> {
    let at = html.find("id=\"kc-form-login\"")?;
    let tag_start = html[..at].rfind("<form")?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let action = tag.split("action=\"").nth(1)?.split('"').next()?;
    Some(unescape(action))
}

fn query_param(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn login(
    http: &reqwest::Client,
    sim: &TestSim,
    kc: &Keycloak,
    redirect_uri: &str,
    user: &str,
) -> Login {
    let state = ocp_sim::random_urlsafe(12);
    let mut authorize =
        url::Url::parse(&format!("{}/oauth/authorize", sim.running.oauth_url)).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", CLIENT)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("state", &state)
        .append_pair("idp", "keycloak");
    let resp = http.get(authorize).send().await.unwrap();
    let status = resp.status().as_u16();
    let Some(to_keycloak) = location(&resp).filter(|l| status == 302 && l.starts_with(&kc.url))
    else {
        return Login::Failed {
            step: "authorize",
            status,
            body: resp.text().await.unwrap_or_default(),
        };
    };

    let resp = http.get(&to_keycloak).send().await.unwrap();
    let callback = if resp.status().as_u16() == 302 {
        // An existing Keycloak session: no password asked (SSO).
        location(&resp).unwrap()
    } else {
        let page = resp.text().await.unwrap();
        let Some(action) = login_form_action(&page) else {
            return Login::Failed {
                step: "keycloak login page",
                status: 200,
                body: page,
            };
        };
        let resp = http
            .post(action)
            .form(&[
                ("username", user),
                ("password", PASSWORD),
                ("credentialId", ""),
            ])
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        match location(&resp) {
            Some(l) if status == 302 => l,
            _ => {
                return Login::Failed {
                    step: "keycloak login",
                    status,
                    body: resp.text().await.unwrap_or_default(),
                };
            }
        }
    };
    if !callback.starts_with(&format!(
        "{}/oauth2callback/keycloak",
        sim.running.oauth_url
    )) {
        return Login::Failed {
            step: "keycloak redirect",
            status: 302,
            body: callback,
        };
    }

    let resp = http.get(&callback).send().await.unwrap();
    let status = resp.status().as_u16();
    match location(&resp) {
        Some(back) if status == 302 && back.starts_with(redirect_uri) => {
            assert_eq!(
                query_param(&back, "state").as_deref(),
                Some(state.as_str()),
                "the client's state comes back"
            );
            match query_param(&back, "code") {
                Some(code) => Login::Code(code),
                None => Login::Failed {
                    step: "callback",
                    status,
                    body: back,
                },
            }
        }
        _ => {
            let body = resp.text().await.unwrap_or_default();
            if status == 200 && body.contains("id=\"grant\"") {
                let then = body
                    .split("name=\"then\" value=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("");
                return Login::Approval(then.to_string());
            }
            Login::Failed {
                step: "callback",
                status,
                body,
            }
        }
    }
}

async fn exchange(sim: &TestSim, code: &str, secret: &str) -> (u16, Value) {
    let resp = sim
        .http
        .post(format!("{}/oauth/token", sim.running.oauth_url))
        .basic_auth(CLIENT, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", APP_REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[track_caller]
fn expect_code(outcome: Login) -> String {
    match outcome {
        Login::Code(code) => code,
        other => panic!("login should have succeeded: {other:?}"),
    }
}

#[track_caller]
fn expect_failure(outcome: Login, step: &str, status: u16, needle: &str) {
    match outcome {
        Login::Failed {
            step: s,
            status: code,
            body,
        } => {
            assert_eq!((s, code), (step, status), "{body}");
            assert!(
                body.contains(needle),
                "the page should say {needle:?}:\n{body}"
            );
        }
        other => panic!("login should have failed at {step}: {other:?}"),
    }
}

async fn user_token(sim: &TestSim, kc: &Keycloak, user: &str) -> String {
    let code = expect_code(login(&browser(sim, kc), sim, kc, APP_REDIRECT, user).await);
    let (status, body) = exchange(sim, &code, CLIENT_SECRET).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

async fn project_names(sim: &TestSim, token: &str) -> Vec<String> {
    let (code, body) = sim
        .get_as(token, "/apis/project.openshift.io/v1/projects")
        .await;
    assert_eq!(code, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

async fn set_secret(sim: &TestSim, value: &str) {
    let (code, body) = sim
        .put("/api/v1/namespaces/openshift-config/secrets/keycloak-client-secret", json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "keycloak-client-secret", "namespace": "openshift-config"},
            "stringData": {"clientSecret": value}}))
        .await;
    assert_eq!(code, 200, "{body}");
}

async fn set_ca(sim: &TestSim, pem: &str) {
    let (code, body) = sim
        .put("/api/v1/namespaces/openshift-config/configmaps/keycloak-ca", json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keycloak-ca", "namespace": "openshift-config"},
            "data": {"ca.crt": pem}}))
        .await;
    assert_eq!(code, 200, "{body}");
}

async fn set_providers(sim: &TestSim, issuer: &str) {
    let (code, body) = sim
        .patch(OAUTH, "application/merge-patch+json", json!({"spec": {"identityProviders": [
            {"name": "htpasswd", "mappingMethod": "claim", "type": "HTPasswd", "htpasswd": {"fileData": {"name": "htpass-secret"}}},
            {"name": "keycloak", "mappingMethod": "claim", "type": "OpenID", "openID": {
                "clientID": "ocp-oauth", "clientSecret": {"name": "keycloak-client-secret"}, "ca": {"name": "keycloak-ca"},
                "issuer": issuer,
                "claims": {"preferredUsername": ["preferred_username"], "name": ["name"], "email": ["email"]}}}
        ]}}))
        .await;
    assert_eq!(code, 200, "{body}");
}

#[tokio::test]
async fn openshift_login_through_a_real_keycloak() {
    let Some(home) = keycloak::distribution() else {
        assert!(
            std::env::var_os("OCP_SIM_REQUIRE_KEYCLOAK").is_none(),
            "no Keycloak distribution found"
        );
        eprintln!(
            "SKIPPED: no Keycloak distribution at {} (set OCP_SIM_KEYCLOAK_HOME)",
            keycloak::DEFAULT_HOME
        );
        return;
    };
    let sim = TestSim::start().await;
    let kc = Keycloak::start(&home).await;
    let oauth_secret = ocp_sim::random_urlsafe(24);
    kc.create_realm("demo").await;
    let callback = format!("{}/oauth2callback/keycloak", sim.running.oauth_url);
    kc.create_confidential_client("demo", "ocp-oauth", &oauth_secret, &[&callback])
        .await;
    for (user, first, last) in [
        ("user-a", "Alice", "Anders"),
        ("user-b", "Bob", "Brown"),
        ("user-c", "Carol", "Clark"),
    ] {
        kc.create_user("demo", user, PASSWORD, first, last).await;
    }
    let issuer = format!("{}/realms/demo", kc.url);

    // The cluster side, as bridgectl's steps 3 and 5 would set it up.
    assert_eq!(sim.post("/api/v1/namespaces/openshift-config/secrets", json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "keycloak-client-secret"}, "stringData": {"clientSecret": oauth_secret}})).await.0, 201);
    assert_eq!(
        sim.post(
            "/api/v1/namespaces/openshift-config/configmaps",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "keycloak-ca"}, "data": {"ca.crt": kc.ca_pem}})
        )
        .await
        .0,
        201
    );
    set_providers(&sim, &issuer).await;
    sim.add_oauth_client(CLIENT, CLIENT_SECRET, APP_REDIRECT)
        .await;
    for p in ["project-a", "project-b"] {
        let (code, body) = sim.post("/apis/project.openshift.io/v1/projectrequests",
            json!({"kind": "ProjectRequest", "apiVersion": "project.openshift.io/v1", "metadata": {"name": p}})).await;
        assert_eq!(code, 201, "{body}");
    }
    let (code, body) = sim.post("/apis/rbac.authorization.k8s.io/v1/namespaces/project-a/rolebindings", json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "view-user-a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "user-a"}]})).await;
    assert_eq!(code, 201, "{body}");

    // 1. The whole flow works, and the code is bound to the client secret and single use.
    let http = browser(&sim, &kc);
    let code = expect_code(login(&http, &sim, &kc, APP_REDIRECT, "user-a").await);
    let (status, body) = exchange(&sim, &code, "not-the-secret").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized_client"))
    );
    let (status, body) = exchange(&sim, &code, CLIENT_SECRET).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_string();
    assert!(token.starts_with("sha256~"));
    let (status, body) = exchange(&sim, &code, CLIENT_SECRET).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let (code, me) = sim
        .get_as(&token, "/apis/user.openshift.io/v1/users/~")
        .await;
    assert_eq!(code, 200, "{me}");
    assert_eq!(me["metadata"]["name"], "user-a");
    assert_eq!(me["fullName"], "Alice Anders");
    let identity = me["identities"][0].as_str().unwrap().to_string();
    assert!(identity.starts_with("keycloak:"), "{identity}");
    let (_, ident) = sim
        .get(&format!("/apis/user.openshift.io/v1/identities/{identity}"))
        .await;
    assert_eq!(ident["providerName"], "keycloak");
    assert_eq!(ident["user"]["name"], "user-a");
    assert_eq!(ident["extra"]["email"], "user-a@example.com");
    assert_eq!(ident["extra"]["preferred_username"], "user-a");
    assert_eq!(project_names(&sim, &token).await, ["project-a"]);

    // 2. The same browser logs in again through Keycloak's SSO session, no password.
    let again = expect_code(login(&http, &sim, &kc, APP_REDIRECT, "nobody-types-this").await);
    assert_eq!(exchange(&sim, &again, CLIENT_SECRET).await.0, 200);

    // 3. A user without RoleBindings logs in but sees no project and no admin API.
    let token_b = user_token(&sim, &kc, "user-b").await;
    assert!(project_names(&sim, &token_b).await.is_empty());
    let denied = sim.get_as(&token_b, OAUTH).await;
    crate::support::assert_status(&denied, 403, "Forbidden");
    assert_eq!(
        denied.1["message"],
        "oauths.config.openshift.io \"cluster\" is forbidden: User \"user-b\" cannot get resource \"oauths\" in API group \"config.openshift.io\" at the cluster scope"
    );

    // 4. Wrong client secret in the Secret: Keycloak refuses the code exchange.
    set_secret(&sim, "wrong-secret").await;
    expect_failure(
        login(&browser(&sim, &kc), &sim, &kc, APP_REDIRECT, "user-a").await,
        "callback",
        500,
        "token endpoint answered HTTP 401",
    );
    set_secret(&sim, &oauth_secret).await;

    // 5. The CA ConfigMap holds another CA: TLS to Keycloak fails.
    let other_ca = ocp_sim::issue_ca("some other CA").unwrap();
    set_ca(&sim, &other_ca.cert_pem).await;
    expect_failure(
        login(&browser(&sim, &kc), &sim, &kc, APP_REDIRECT, "user-a").await,
        "authorize",
        500,
        "UnknownIssuer",
    );
    set_ca(&sim, &kc.ca_pem).await;

    // 6. The issuer differs from what Keycloak reports (localhost vs 127.0.0.1).
    set_providers(&sim, &issuer.replace("127.0.0.1", "localhost")).await;
    expect_failure(
        login(&browser(&sim, &kc), &sim, &kc, APP_REDIRECT, "user-a").await,
        "authorize",
        500,
        "issuer mismatch",
    );
    set_providers(&sim, &issuer).await;

    // 7. A redirect URI the OAuthClient does not list: an error page, never a redirect.
    expect_failure(
        login(
            &browser(&sim, &kc),
            &sim,
            &kc,
            "http://localhost:9999/elsewhere",
            "user-a",
        )
        .await,
        "authorize",
        400,
        "is not one of the redirectURIs",
    );

    // 8. mappingMethod claim: an existing user mapped to another identity blocks the login.
    assert_eq!(
        sim.post(
            "/apis/user.openshift.io/v1/users",
            json!({"apiVersion": "user.openshift.io/v1", "kind": "User",
        "metadata": {"name": "user-c"}, "identities": ["htpasswd:user-c"]})
        )
        .await
        .0,
        201
    );
    expect_failure(
        login(&browser(&sim, &kc), &sim, &kc, APP_REDIRECT, "user-c").await,
        "callback",
        500,
        "could not create user",
    );

    // 9. grantMethod prompt: the user approves before the client gets a code.
    let (code, body) = sim
        .patch(
            &format!("/apis/oauth.openshift.io/v1/oauthclients/{CLIENT}"),
            "application/merge-patch+json",
            json!({"grantMethod": "prompt"}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let http = browser(&sim, &kc);
    let Login::Approval(then) = login(&http, &sim, &kc, APP_REDIRECT, "user-a").await else {
        panic!("expected the approval page");
    };
    let resp = http
        .post(format!("{}/oauth/authorize/approve", sim.running.oauth_url))
        .form(&[("then", then.as_str()), ("approve", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let back = location(&resp).unwrap();
    let approved = query_param(&back, "code").expect("a code after approval");
    assert_eq!(exchange(&sim, &approved, CLIENT_SECRET).await.0, 200);

    drop(kc);
}
