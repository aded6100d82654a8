//! step2 against the real Keycloak: realm, clients, users, the token exchange, logout,
//! idempotence measured on the server, drift repair and bad input.

use crate::support::{Bed, default_keycloak, jwt_claims, realm};
use serde_json::json;

#[test]
fn fresh_step2_creates_everything_and_every_user_signs_in() {
    let kc = default_keycloak();
    let realm = realm("fresh");

    let plan = kc.run_realm(&realm, &["--dry-run", "step2"]);
    plan.assert_ok();
    assert_eq!(plan.outcomes().len(), 7, "{}", plan.all());
    assert_eq!(plan.outcomes()[..6], ["would create"; 6], "{}", plan.all());
    // bridgectl's read-only client in master: created by the first realm's step2 on this
    // shared Keycloak, or by this one; its roles on this new realm are still to grant.
    assert!(
        matches!(
            plan.outcome_of("client/bridgectl-reader").as_deref(),
            Some("would create" | "would update")
        ),
        "{}",
        plan.all()
    );
    assert_eq!(
        kc.client()
            .get(format!("{}/realms/{realm}", kc.base_url()))
            .send()
            .unwrap()
            .status(),
        404,
        "a dry run must not create the realm"
    );

    let run = kc.run_realm(&realm, &["step2"]);
    run.assert_ok();
    for object in [
        format!("realm/{realm}"),
        "client/ocp-oauth".into(),
        "client/third-party-app".into(),
        "user/user-a".into(),
        "user/user-b".into(),
        "user/user-c".into(),
    ] {
        assert_eq!(
            run.outcome_of(&object).as_deref(),
            Some("created"),
            "{object}\n{}",
            run.all()
        );
    }
    for user in ["user-a", "user-b", "user-c"] {
        let resp = kc.user_token(&realm, user);
        assert_eq!(resp.status(), 200, "{user} cannot sign in");
        let claims = jwt_claims(
            resp.json::<serde_json::Value>().unwrap()["access_token"]
                .as_str()
                .unwrap(),
        );
        assert_eq!(claims["preferred_username"], user);
        assert_eq!(claims["azp"], "third-party-app");
        assert!(claims["email"].as_str().unwrap().starts_with(user));
    }
    // The realm signs with the RSA key bridgectl generated and handed over (an imported
    // provider), not one Keycloak generated inside the create; its HMAC and AES keys are
    // Keycloak's own.
    let admin = kc.admin();
    let providers = admin.get(&format!(
        "/{realm}/components?type=org.keycloak.keys.KeyProvider"
    ));
    let mut kinds: Vec<&str> = providers
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["providerId"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["aes-generated", "hmac-generated", "rsa", "rsa-enc"]);
    let imported = providers
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["providerId"] == "rsa")
        .unwrap();
    let keys = admin.get(&format!("/{realm}/keys"));
    let signing = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["algorithm"] == "RS256" && k["status"] == "ACTIVE")
        .unwrap();
    assert_eq!(signing["providerId"], imported["id"], "{keys}");
    let token = kc.access_token(&realm, "user-a");
    let header = token.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], signing["kid"], "tokens are signed with it");
    assert!(!run.all().contains("PRIVATE KEY"), "a realm key leaked");
    // No secret in what bridgectl printed.
    for secret in [
        "client-ocp-oauth",
        "client-third-party-app",
        "user-user-a",
        "keycloak-admin-password",
    ] {
        assert!(!run.all().contains(&kc.secret(secret)), "{secret} leaked");
    }
}

#[test]
fn the_token_exchange_succeeds_and_needs_the_audience_mapper() {
    let kc = default_keycloak();
    let realm = realm("exchange");
    kc.run_realm(&realm, &["step2"]).assert_ok();

    let subject = kc.access_token(&realm, "user-a");
    let resp = kc.exchange(&realm, &subject);
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().unwrap();
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    let claims = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(claims["azp"], "ocp-oauth");
    assert_eq!(claims["preferred_username"], "user-a");
    assert_eq!(claims["sub"], jwt_claims(&subject)["sub"]);

    // Without the audience mapper the exchange is refused...
    let admin = kc.admin();
    let app = admin.client_rep(&realm, "third-party-app");
    let mapper = app["protocolMappers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["protocolMapper"] == "oidc-audience-mapper")
        .expect("audience mapper")
        .clone();
    admin.delete(&format!(
        "/{realm}/clients/{}/protocol-mappers/models/{}",
        app["id"].as_str().unwrap(),
        mapper["id"].as_str().unwrap()
    ));
    let subject = kc.access_token(&realm, "user-a");
    let refused = kc.exchange(&realm, &subject);
    assert_eq!(refused.status(), 403);
    let error: serde_json::Value = refused.json().unwrap();
    assert_eq!(
        error["error_description"],
        "Client is not within the token audience"
    );

    // ...and step2 puts it back.
    let repair = kc.run_realm(&realm, &["step2"]);
    repair.assert_ok();
    assert_eq!(
        repair.outcome_of("client/third-party-app").as_deref(),
        Some("updated")
    );
    repair.assert_contains("protocolMappers.audience-ocp-oauth: added");
    let subject = kc.access_token(&realm, "user-a");
    assert_eq!(kc.exchange(&realm, &subject).status(), 200);
}

#[test]
fn logout_accepts_the_app_url_and_nothing_else() {
    let kc = default_keycloak();
    let realm = realm("logout");
    kc.run_realm(&realm, &["step2"]).assert_ok();
    let logout = |target: &str| {
        kc.client()
            .get(format!(
                "{}/realms/{realm}/protocol/openid-connect/logout",
                kc.base_url()
            ))
            .query(&[
                ("client_id", "third-party-app"),
                ("post_logout_redirect_uri", target),
            ])
            .send()
            .unwrap()
    };
    let accepted = logout("http://127.0.0.1:9080/");
    assert_eq!(accepted.status(), 302);
    assert_eq!(accepted.headers()["location"], "http://127.0.0.1:9080/");
    let refused = logout("http://evil.example/");
    assert_eq!(refused.status(), 400);
    assert!(refused.text().unwrap().contains("Invalid redirect uri"));
}

#[test]
fn a_second_run_reports_unchanged_and_writes_nothing() {
    let kc = default_keycloak();
    let realm = realm("noop");
    kc.run_realm(&realm, &["step2"]).assert_ok();
    let admin = kc.admin();
    let events_before = admin.admin_event_count(&realm);
    assert!(events_before > 0, "admin events are recorded for writes");

    let again = kc.run_realm(&realm, &["-v", "step2"]);
    again.assert_ok();
    assert_eq!(again.outcomes(), ["unchanged"; 7], "{}", again.all());
    again.assert_contains("Keycloak admin API: 0 write requests");
    assert_eq!(
        admin.admin_event_count(&realm),
        events_before,
        "Keycloak saw a write"
    );
}

#[test]
fn drift_made_by_hand_is_put_back() {
    let kc = default_keycloak();
    let realm = realm("drift");
    kc.run_realm(&realm, &["step2"]).assert_ok();
    let admin = kc.admin();

    let mut ocp = admin.client_rep(&realm, "ocp-oauth");
    let ocp_id = ocp["id"].as_str().unwrap().to_string();
    ocp["attributes"]["standard.token.exchange.enabled"] = json!("false");
    admin.put(&format!("/{realm}/clients/{ocp_id}"), &ocp);
    let mut user = admin.user_rep(&realm, "user-b");
    let user_id = user["id"].as_str().unwrap().to_string();
    user["email"] = json!("someone-else@example.com");
    admin.put(&format!("/{realm}/users/{user_id}"), &user);

    let repair = kc.run_realm(&realm, &["--dry-run", "step2"]);
    repair.assert_ok();
    assert_eq!(
        repair.outcome_of("client/ocp-oauth").as_deref(),
        Some("would update")
    );
    let repair = kc.run_realm(&realm, &["step2"]);
    repair.assert_ok();
    assert_eq!(
        repair.outcome_of("client/ocp-oauth").as_deref(),
        Some("updated")
    );
    repair.assert_contains(r#"attributes.standard.token.exchange.enabled: "false" -> "true""#);
    assert_eq!(repair.outcome_of("user/user-b").as_deref(), Some("updated"));
    repair.assert_contains(r#"email: "someone-else@example.com" -> "user-b@example.com""#);
    assert_eq!(
        repair.outcome_of("user/user-a").as_deref(),
        Some("unchanged")
    );

    assert_eq!(
        admin.client_rep(&realm, "ocp-oauth")["attributes"]["standard.token.exchange.enabled"],
        "true"
    );
    assert_eq!(
        admin.user_rep(&realm, "user-b")["email"],
        "user-b@example.com"
    );

    // A password changed in the console is put back too.
    admin.put(
        &format!("/{realm}/users/{user_id}/reset-password"),
        &json!({"type": "password", "value": "changed-by-hand", "temporary": false}),
    );
    assert_eq!(kc.user_token(&realm, "user-b").status(), 401);
    let repair = kc.run_realm(&realm, &["step2"]);
    repair
        .assert_ok()
        .assert_contains("password: (secret changed)");
    assert_eq!(kc.user_token(&realm, "user-b").status(), 200);
}

#[test]
fn keycloak_not_running_fails_clearly_after_bounded_retries() {
    let bed = Bed::new("nokc");
    bed.run(&["--dry-run", "step1"]).assert_ok();
    // Certificates and the admin password exist, but nothing listens on the port.
    bed.run(&["step1", "--set", "keycloak.image=localhost:1/none:1"])
        .assert_failed();
    let started = std::time::Instant::now();
    let run = bed.run_realm("demo", &["step2"]);
    run.assert_failed()
        .assert_contains(&format!(
            "cannot reach Keycloak at https://127.0.0.1:{}",
            bed.port
        ))
        .assert_contains("bridgectl step1");
    assert!(started.elapsed().as_secs() < 60, "retries must be bounded");
}

#[test]
fn a_wrong_admin_password_is_named_without_printing_it() {
    let kc = default_keycloak();
    // A copy of the shared state with another admin password.
    let bed = Bed::new("wrongpw");
    copy_dir(&kc.state_dir(), &bed.state_dir());
    let secrets = bed.state_dir().join("secrets");
    std::fs::write(secrets.join("keycloak-admin-password"), "not-the-password").unwrap();
    std::fs::copy(kc.config_path(), bed.config_path()).unwrap();
    // bridgectl signs in as the admin client Keycloak made at its first start: the
    // password is not even asked for.
    bed.run_realm(&realm("wrongpw"), &["step2"]).assert_ok();

    // Without that client's secret either, the password is tried and refused.
    std::fs::write(secrets.join("client-bridgectl-admin"), "not-the-secret").unwrap();
    let run = bed.run_realm(&realm("wrongpw"), &["step2"]);
    run.assert_failed()
        .assert_contains("Keycloak refused the admin sign-in")
        .assert_contains("secrets/keycloak-admin-password");
    assert!(!run.all().contains("not-the-password"));
    assert!(!run.all().contains("not-the-secret"));
}

#[test]
fn a_malformed_template_is_named_with_its_field() {
    let kc = default_keycloak();
    let templates = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(
        &root.join("keycloak-realm"),
        &templates.path().join("keycloak-realm"),
    );
    let client = templates
        .path()
        .join("keycloak-realm/clients/ocp-client.yaml");
    let text = std::fs::read_to_string(&client).unwrap();
    std::fs::write(
        &client,
        text.replace("{{ ocp_client_secret }}", "{{ ocp_client_secrett }}"),
    )
    .unwrap();
    let dir_flag = format!("templates_dir={}", templates.path().display());
    let run = kc.run_realm(&realm("tpl"), &["--set", &dir_flag, "step2"]);
    run.assert_failed()
        .assert_contains("ocp-client.yaml: secret: unknown placeholder {{ ocp_client_secrett }}");

    std::fs::write(&client, "clientId: [unclosed\n").unwrap();
    let run = kc.run_realm(&realm("tpl"), &["--set", &dir_flag, "step2"]);
    run.assert_failed()
        .assert_contains("ocp-client.yaml: invalid YAML");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Users that appear between step2's read and its writes (a concurrent run, or a run killed
/// with a request in flight that Keycloak finished) are taken as found: Keycloak's 409 on
/// the create sends step2 to read the user again, not to fail. Driven through the library
/// with a list read before the users existed, against the real Keycloak.
#[test]
fn users_created_after_the_read_are_taken_as_found() {
    use bridgectl::keycloak::desired::DesiredUser;
    use bridgectl::reconcile::{Gate, Outcome, Report};
    use bridgectl::state::{Secret, StateDir};

    let kc = default_keycloak();
    let realm = realm("appeared");
    kc.run_realm(&realm, &["step2"]).assert_ok();
    let ids = || {
        let users = kc.admin().get(&format!("/{realm}/users"));
        let mut ids: Vec<String> = users
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].to_string())
            .collect();
        ids.sort();
        ids
    };
    let before = ids();
    assert_eq!(before.len(), 3);

    let users: Vec<DesiredUser> = ["user-a", "user-b", "user-c"]
        .iter()
        .map(|name| DesiredUser {
            username: name.to_string(),
            rep: json!({"username": name, "enabled": true}),
            password: Secret::new(kc.secret(&bridgectl::state::names::user_password(name))),
        })
        .collect();
    let state = StateDir::open(&kc.state_dir()).unwrap();
    let (realm_name, users, state) = (&realm, &users, &state);
    let (report, writes) = with_library_admin(kc, |admin| async move {
        let mut report = Report::new(Gate::apply());
        let stale = std::collections::HashMap::new();
        let done = bridgectl::keycloak::users::reconcile(
            &admin,
            realm_name,
            users,
            &stale,
            state,
            2,
            &mut report,
        )
        .await;
        done.unwrap_or_else(|err| panic!("a 409 on a user that exists must not fail: {err:#}"));
        (report, admin.writes())
    });
    // Three creates refused with 409, nothing else: their passwords still hold.
    assert_eq!(report.count(Outcome::Unchanged), 3, "{report:?}");
    assert_eq!(writes, 3, "only the three refused creates were sent");
    assert_eq!(ids(), before, "no user was made twice");
}

/// The same for the realm: step2 read it as missing, another request created it before
/// step2's own create (in the interruption test: a realm POST still in flight when the run
/// was killed). The 409 sends step2 to read it and go on as with a realm that existed.
#[test]
fn a_realm_created_after_the_read_is_taken_as_found() {
    use bridgectl::keycloak::realm::{self, Realm};
    use bridgectl::keycloak::realm_keys::PendingKeys;
    use bridgectl::reconcile::{Gate, Outcome, Report};

    let kc = default_keycloak();
    let name = realm("appeared-realm");
    kc.run_realm(&name, &["step2"]).assert_ok();
    let desired = json!({"realm": name, "enabled": true});
    let (outcome, report, writes) = with_library_admin(kc, |admin| async move {
        let mut report = Report::new(Gate::apply());
        let keys = PendingKeys::on_demand();
        let contents = realm::Contents {
            clients: &[],
            keys: &keys,
        };
        let outcome = realm::reconcile(&admin, &desired, None, contents, &mut report)
            .await
            .unwrap_or_else(|err| panic!("a 409 on a realm that exists must not fail: {err:#}"));
        (outcome, report, admin.writes())
    });
    assert_eq!(outcome, Realm::Existed, "{report:?}");
    assert_eq!(report.count(Outcome::Unchanged), 1, "{report:?}");
    assert_eq!(writes, 1, "only the refused create was sent");
}

/// Runs `work` with bridgectl's own admin client signed in to the shared Keycloak.
fn with_library_admin<T, F>(
    kc: &crate::support::Bed,
    work: impl FnOnce(bridgectl::keycloak::admin::AdminClient) -> F,
) -> T
where
    F: std::future::Future<Output = T>,
{
    use bridgectl::keycloak::admin::{AdminClient, SignIn};
    use bridgectl::state::{Secret, names};
    let ca = kc.read_state("tls/ca.crt");
    let sign_in = SignIn::Admin {
        username: "admin".into(),
        password: Secret::new(kc.secret(names::KEYCLOAK_ADMIN_PASSWORD)),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let backoff = bridgectl::retry::Backoff::SERVER;
        let admin = AdminClient::connect(&kc.base_url(), &ca, vec![sign_in], backoff)
            .await
            .unwrap();
        work(admin).await
    })
}
