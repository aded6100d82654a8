//! The whole sign-in chain after step1, step2, step3 and step5, against the real Keycloak
//! and the OpenShift simulator: every user lists exactly the seed's projects, and breaking
//! any one link (secret, CA, issuer, redirect URI, binding) breaks the flow until the
//! responsible step repairs it. On the shared Keycloak, in a realm of its own.

use crate::support::flow::{Endpoints, projects_seen};
use crate::support::sim::Sim;
use crate::support::{self, Bed, default_keycloak, realm};
use base64::Engine;
use serde_json::json;

const OAUTH: &str = "/apis/config.openshift.io/v1/oauths/cluster";

struct World<'a> {
    kc: &'a Bed,
    realm: String,
    sim: Sim,
    oauth_secret: String,
}

impl World<'static> {
    /// A realm of its own on the shared Keycloak and a simulator, after step2, step3 and
    /// step5.
    fn set_up(prefix: &str) -> World<'static> {
        let kc = default_keycloak();
        let world = World {
            kc,
            realm: realm(prefix),
            sim: Sim::start(&[]),
            oauth_secret: String::new(),
        };
        for step in ["step2", "step3", "step5"] {
            world.run(&[step]).assert_ok();
        }
        World {
            oauth_secret: kc.secret("oauthclient-third-party-demo"),
            ..world
        }
    }
}

impl World<'_> {
    fn run(&self, args: &[&str]) -> support::Run {
        let kubeconfig = self.sim.kubeconfig.display().to_string();
        let realm = format!("keycloak.realm={}", self.realm);
        let mut all = vec!["--kubeconfig", kubeconfig.as_str(), "--set", realm.as_str()];
        all.extend_from_slice(args);
        self.kc.run(&all)
    }

    fn login(&self, user: &str) -> Result<Vec<String>, String> {
        let kc_ca = self.kc.read_state("tls/ca.crt");
        let endpoints = Endpoints {
            oauth_url: &self.sim.oauth_url,
            api_url: &self.sim.api_url,
            client_id: "third-party-demo",
            client_secret: &self.oauth_secret,
            redirect_uri: "http://127.0.0.1:9080/callback/ocp",
            idp: "keycloak",
        };
        let password = self.kc.secret(&format!("user-{user}"));
        projects_seen(&[&kc_ca, &self.sim.ca_pem], &endpoints, user, &password)
    }

    #[track_caller]
    fn assert_matrix(&self) {
        assert_eq!(
            self.login("user-a").as_deref(),
            Ok(&["project-a".to_string(), "project-c".into()][..])
        );
        assert_eq!(
            self.login("user-b").as_deref(),
            Ok(&["project-b".to_string()][..])
        );
        assert_eq!(
            self.login("user-c").as_deref(),
            Ok(&[
                "project-a".to_string(),
                "project-b".into(),
                "project-c".into()
            ][..])
        );
    }

    /// Breaks one link, checks the login fails with `reason`, lets `step` repair it.
    #[track_caller]
    fn broken_then_repaired(&self, what: &str, reason: &str, step: &str, user: &str) {
        let failed = self
            .login(user)
            .expect_err(&format!("{what}: the login should fail"));
        assert!(
            failed.contains(reason),
            "{what}: expected {reason:?} in {failed}"
        );
        let repair = self.run(&[step]);
        repair.assert_ok();
        assert!(
            repair
                .outcomes()
                .iter()
                .any(|o| o == "updated" || o == "created"),
            "{what}: {}",
            repair.all()
        );
        assert!(self.login(user).is_ok(), "{what}: not repaired by {step}");
    }
}

#[test]
fn every_user_sees_exactly_their_projects_and_each_broken_link_fails() {
    let world = World::set_up("flow");
    let kc = world.kc;
    world.assert_matrix();

    // Wrong client secret in the Secret the identity provider reads.
    let wrong = base64::engine::general_purpose::STANDARD.encode("not-the-secret");
    world.sim.merge_patch(
        "/api/v1/namespaces/openshift-config/secrets/keycloak-client-secret",
        json!({"data": {"clientSecret": wrong}}),
    );
    world.broken_then_repaired(
        "client secret",
        "Invalid client or Invalid client credentials",
        "step3",
        "user-a",
    );

    // A CA that did not sign Keycloak's certificate.
    world.sim.merge_patch(
        "/api/v1/namespaces/openshift-config/configmaps/keycloak-ca",
        json!({"data": {"ca.crt": world.sim.ca_pem}}),
    );
    world.broken_then_repaired("CA", "UnknownIssuer", "step3", "user-b");

    // An issuer Keycloak does not announce.
    let mut oauth = world.sim.get(OAUTH);
    let providers = oauth["spec"]["identityProviders"].as_array_mut().unwrap();
    let ours = providers
        .iter_mut()
        .find(|p| p["name"] == "keycloak")
        .unwrap();
    ours["openID"]["issuer"] = json!(format!(
        "https://localhost:{}/realms/{}",
        kc.port, world.realm
    ));
    let (status, body) = world.sim.call("PUT", OAUTH, Some(oauth));
    assert_eq!(status, 200, "{body}");
    world.broken_then_repaired("issuer", "issuer mismatch", "step3", "user-c");

    // The app's redirect URI no longer registered.
    world.sim.merge_patch(
        "/apis/oauth.openshift.io/v1/oauthclients/third-party-demo",
        json!({"redirectURIs": ["http://127.0.0.1:9999/elsewhere"]}),
    );
    world.broken_then_repaired(
        "redirect URI",
        "is not one of the redirectURIs",
        "step3",
        "user-a",
    );

    // A binding deleted: user-a still signs in but loses project-c.
    let (status, _) = world.sim.call(
        "DELETE",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/project-c/rolebindings/bridgectl-view-user-a",
        None,
    );
    assert!(status < 300);
    assert_eq!(
        world.login("user-a").as_deref(),
        Ok(&["project-a".to_string()][..])
    );
    world.run(&["step5"]).assert_ok();
    world.assert_matrix();
}

/// A Keycloak restored from elsewhere gives a user a new id: the cluster's identity for the
/// old subject makes `mappingMethod: claim` refuse them, until step3 replaces it.
/// Identities of another provider, and ours for a user bridgectl does not configure, stay.
#[test]
fn a_stale_identity_is_replaced_by_step3_and_no_other_is_touched() {
    const USERS: &str = "/apis/user.openshift.io/v1/users";
    const IDENTITIES: &str = "/apis/user.openshift.io/v1/identities";
    let world = World::set_up("stale");
    let kc = world.kc;
    // Everyone signs in once: their identities exist.
    world.assert_matrix();

    let others = [
        ("someone", "htpasswd:someone", "htpasswd", "someone"),
        ("not-configured", "keycloak:0000", "keycloak", "0000"),
    ];
    for (user, identity, provider, subject) in others {
        let user_doc = json!({"apiVersion": "user.openshift.io/v1", "kind": "User",
            "metadata": {"name": user}, "identities": [identity]});
        let (status, body) = world.sim.call("POST", USERS, Some(user_doc));
        assert_eq!(status, 201, "{body}");
        let identity_doc = json!({"apiVersion": "user.openshift.io/v1", "kind": "Identity",
            "metadata": {"name": identity}, "providerName": provider,
            "providerUserName": subject, "user": {"name": user}});
        let (status, body) = world.sim.call("POST", IDENTITIES, Some(identity_doc));
        assert_eq!(status, 201, "{body}");
    }
    let versions = |world: &World| -> Vec<String> {
        others
            .iter()
            .flat_map(|(user, identity, _, _)| {
                [
                    format!("{USERS}/{user}"),
                    format!("{IDENTITIES}/{identity}"),
                ]
            })
            .map(|path| world.sim.get(&path)["metadata"]["resourceVersion"].to_string())
            .collect()
    };
    let others_before = versions(&world);
    let id_of = |user: &str| {
        kc.admin().user_rep(&world.realm, user)["id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // user-a comes back with a new id, as from a Keycloak restored from elsewhere.
    let old_id = id_of("user-a");
    kc.admin()
        .delete(&format!("/{}/users/{old_id}", world.realm));
    world.run(&["step2"]).assert_ok();
    let new_id = id_of("user-a");
    assert_ne!(old_id, new_id);
    let refused = world
        .login("user-a")
        .expect_err("the old identity refuses the new subject");
    assert!(
        refused.contains("because it is already mapped to"),
        "{refused}"
    );

    let stale = format!("identity/keycloak:{old_id}");
    let plan = world.run(&["--dry-run", "step3"]);
    plan.assert_ok();
    assert_eq!(plan.outcome_of(&stale).as_deref(), Some("would delete"));
    plan.assert_contains(&format!("user-a is now {new_id} in Keycloak"));

    let repair = world.run(&["step3"]);
    repair.assert_ok();
    assert_eq!(repair.outcome_of(&stale).as_deref(), Some("deleted"));
    assert_eq!(repair.outcome_of("user/user-a").as_deref(), Some("deleted"));
    let deleted = repair
        .outcomes()
        .iter()
        .filter(|outcome| *outcome == "deleted")
        .count();
    assert_eq!(
        deleted,
        2,
        "only user-a's identity and user: {}",
        repair.all()
    );
    world.assert_matrix();
    assert_eq!(
        versions(&world),
        others_before,
        "another's identity was touched"
    );
    world
        .run(&["step3"])
        .assert_all_unchanged("no identity is stale any more");
}
