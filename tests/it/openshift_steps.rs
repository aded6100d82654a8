//! step3 and step5 against the OpenShift simulator: other identity providers survive, a
//! second run writes nothing, a concurrent edit is kept, bad credentials are explained.

use crate::support::sim::Sim;
use crate::support::{self, Bed};
use serde_json::json;

const OAUTH: &str = "/apis/config.openshift.io/v1/oauths/cluster";

/// Runs `step` again: every object unchanged, no write request reached the cluster.
#[track_caller]
fn rerun_writes_nothing(sim: &Sim, bed: &Bed, step: &str) {
    sim.reset_counts();
    bed.run(&[step]).assert_all_unchanged(step);
    assert_eq!(
        sim.writes_since_reset(),
        0,
        "a second {step} wrote to the cluster"
    );
}

fn add_provider(sim: &Sim, name: &str) {
    let mut oauth = sim.get(OAUTH);
    oauth["spec"]["identityProviders"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "name": name, "mappingMethod": "claim", "type": "HTPasswd",
            "htpasswd": {"fileData": {"name": "htpass-secret"}}
        }));
    let (status, body) = sim.call("PUT", OAUTH, Some(oauth));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn step3_adds_only_its_provider_and_a_second_run_writes_nothing() {
    let sim = Sim::start(&[]);
    add_provider(&sim, "corp");
    let bed = sim.bed("step3");

    let plan = bed.run(&["--dry-run", "step3"]);
    plan.assert_ok();
    assert_eq!(plan.outcomes(), ["would create"; 4], "{}", plan.all());
    assert_eq!(sim.identity_provider_names(), ["htpasswd", "corp"]);

    let first = bed.run(&["step3"]);
    first.assert_ok();
    assert_eq!(first.outcomes(), ["created"; 4], "{}", first.all());
    assert_eq!(
        sim.identity_provider_names(),
        ["htpasswd", "corp", "keycloak"]
    );
    let providers = sim.get(OAUTH)["spec"]["identityProviders"].clone();
    let ours = &providers[2];
    assert_eq!(ours["type"], "OpenID");
    assert_eq!(ours["mappingMethod"], "claim");
    assert_eq!(
        ours["openID"]["issuer"],
        format!("https://127.0.0.1:{}/realms/demo", bed.port)
    );
    assert_eq!(
        ours["openID"]["clientSecret"]["name"],
        "keycloak-client-secret"
    );
    assert_eq!(ours["openID"]["ca"]["name"], "keycloak-ca");
    assert_eq!(
        ours["openID"]["claims"]["preferredUsername"],
        json!(["preferred_username"])
    );
    let secret = sim.get("/api/v1/namespaces/openshift-config/secrets/keycloak-client-secret");
    use base64::Engine;
    let stored = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["clientSecret"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(stored).unwrap(),
        bed.secret("client-ocp-oauth")
    );
    let ca = sim.get("/api/v1/namespaces/openshift-config/configmaps/keycloak-ca");
    assert_eq!(
        ca["data"]["ca.crt"].as_str().unwrap(),
        bed.read_state("tls/ca.crt")
    );
    let client = sim.get("/apis/oauth.openshift.io/v1/oauthclients/third-party-demo");
    assert_eq!(client["grantMethod"], "auto");
    assert_eq!(
        client["secret"].as_str().unwrap(),
        bed.secret("oauthclient-third-party-demo")
    );
    assert_eq!(
        client["redirectURIs"],
        json!([
            "http://127.0.0.1:9080/callback/ocp",
            "http://localhost:9080/callback/ocp"
        ])
    );
    for secret in ["client-ocp-oauth", "oauthclient-third-party-demo"] {
        assert!(
            !first.all().contains(&bed.secret(secret)),
            "{secret} leaked"
        );
    }

    sim.reset_counts();
    let again = bed.run(&["step3"]);
    again.assert_ok();
    assert_eq!(again.outcomes(), ["unchanged"; 4], "{}", again.all());
    assert_eq!(
        sim.writes_since_reset(),
        0,
        "a second run wrote to the cluster"
    );
}

#[test]
fn an_edit_between_read_and_write_is_kept() {
    let sim = Sim::start(&[]);
    let bed = sim.bed("race");
    bed.run(&["step3"]).assert_ok();

    // Someone adds a provider right after bridgectl reads oauths/cluster; bridgectl's write
    // then conflicts, and it must start over rather than drop the other change.
    let mut others = sim.get(OAUTH)["spec"]["identityProviders"].clone();
    others.as_array_mut().unwrap().push(json!({
        "name": "late", "mappingMethod": "claim", "type": "HTPasswd",
        "htpasswd": {"fileData": {"name": "htpass-secret"}}
    }));
    let (status, body) = sim.call(
        "POST",
        "/_sim/mutate-after-read",
        Some(json!({"path": OAUTH, "merge_patch": {"spec": {"identityProviders": others}}})),
    );
    assert!(status < 300, "{body}");
    let run = bed.run(&["--set", "keycloak.realm=other", "step3"]);
    run.assert_ok();
    assert_eq!(
        run.outcome_of("identityprovider/cluster#keycloak")
            .as_deref(),
        Some("updated")
    );
    assert_eq!(
        sim.identity_provider_names(),
        ["htpasswd", "keycloak", "late"]
    );
    let issuer = sim.get(OAUTH)["spec"]["identityProviders"][1]["openID"]["issuer"].clone();
    assert_eq!(
        issuer,
        format!("https://127.0.0.1:{}/realms/other", bed.port)
    );
}

#[test]
fn step5_creates_projects_and_bindings_and_removes_only_its_own_stale_ones() {
    let sim = Sim::start(&[]);
    let bed = sim.bed("step5");
    // A project and a binding that were there before bridgectl.
    let (status, _) = sim.call(
        "POST",
        "/apis/project.openshift.io/v1/projectrequests",
        Some(json!({"apiVersion": "project.openshift.io/v1", "kind": "ProjectRequest", "metadata": {"name": "project-b"}})),
    );
    assert_eq!(status, 201);

    let run = bed.run(&["step5"]);
    run.assert_ok();
    assert_eq!(
        run.outcome_of("project/project-a").as_deref(),
        Some("created")
    );
    assert_eq!(
        run.outcome_of("project/project-b").as_deref(),
        Some("unchanged")
    );
    run.assert_contains("existed before bridgectl");
    let binding = sim.get("/apis/rbac.authorization.k8s.io/v1/namespaces/project-c/rolebindings/bridgectl-admin-user-c");
    assert_eq!(
        binding["roleRef"],
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"})
    );
    assert_eq!(
        binding["subjects"],
        json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "user-c"}])
    );

    rerun_writes_nothing(&sim, &bed, "step5");

    // user-c loses project-b from the configuration: only that binding goes.
    let config = std::fs::read_to_string(bed.config_path()).unwrap();
    let users = "users:\n- {username: user-a, first_name: A, last_name: D, email: a@example.com, projects: [{name: project-a, role: view}, {name: project-c, role: view}]}\n\
                 - {username: user-b, first_name: B, last_name: D, email: b@example.com, projects: [{name: project-b, role: edit}]}\n\
                 - {username: user-c, first_name: C, last_name: D, email: c@example.com, projects: [{name: project-c, role: admin}, {name: project-a, role: view}]}\n";
    std::fs::write(bed.config_path(), format!("{config}{users}")).unwrap();
    let shrink = bed.run(&["step5"]);
    shrink.assert_ok();
    assert_eq!(
        shrink
            .outcome_of("rolebinding/project-b/bridgectl-view-user-c")
            .as_deref(),
        Some("deleted")
    );
    let (status, _) = sim.call("GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/project-b/rolebindings/bridgectl-view-user-c", None);
    assert_eq!(status, 404);
    // The binding OpenShift made for project-b's requester is not bridgectl's and stays.
    let (status, _) = sim.call(
        "GET",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/project-b/rolebindings/admin",
        None,
    );
    assert_eq!(status, 200);
}

#[test]
fn without_project_openshift_io_projects_are_plain_namespaces() {
    let sim = Sim::start_without(&[], &["project.openshift.io"]);
    let (status, _) = sim.call("GET", "/apis/project.openshift.io/v1/projects", None);
    assert_eq!(status, 404, "the simulator must not serve projects here");
    let bed = sim.bed("plainkube");

    let run = bed.run(&["step5"]);
    run.assert_ok();
    for project in ["project-a", "project-b", "project-c"] {
        assert_eq!(
            run.outcome_of(&format!("project/{project}")).as_deref(),
            Some("created")
        );
        let ns = sim.get(&format!("/api/v1/namespaces/{project}"));
        assert_eq!(
            ns["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "bridgectl"
        );
        assert_eq!(
            ns["metadata"]["annotations"]["openshift.io/description"],
            "Created by bridgectl"
        );
    }
    let binding = sim.get("/apis/rbac.authorization.k8s.io/v1/namespaces/project-b/rolebindings/bridgectl-edit-user-b");
    assert_eq!(binding["roleRef"]["name"], "edit");

    rerun_writes_nothing(&sim, &bed, "step5");
}

#[test]
fn a_missing_oauth_cluster_object_is_created() {
    let sim = Sim::start(&[]);
    let (status, body) = sim.call("DELETE", OAUTH, None);
    assert!(status < 300, "{body}");
    let bed = sim.bed("nooauth");
    let run = bed.run(&["step3"]);
    run.assert_ok().assert_contains("oauths/cluster created");
    assert_eq!(sim.identity_provider_names(), ["keycloak"]);
}

#[test]
fn no_kubeconfig_points_at_the_flag_and_the_simulator() {
    let sim = Sim::start(&[]);
    let mut bed = sim.bed("nokube");
    let home = bed.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    bed.extra_env = vec![("HOME".into(), home.display().to_string())];
    let mut cmd = bed.command(&["step3"]);
    cmd.env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST");
    let run = support::to_run(cmd.output().unwrap());
    run.assert_failed()
        .assert_contains("no cluster configured")
        .assert_contains("--kubeconfig")
        .assert_contains("simulator");
}

#[test]
fn refused_credentials_and_missing_permissions_are_named() {
    let sim = Sim::start(&[("someone", "plain-user-token")]);
    let mut bed = sim.bed("authz");

    let bogus = bed.dir.path().join("bogus.kubeconfig");
    sim.kubeconfig_with_token("not-a-token", &bogus);
    bed.extra_env = vec![("KUBECONFIG".into(), bogus.display().to_string())];
    bed.run(&["step3"])
        .assert_failed()
        .assert_contains("401 Unauthorized")
        .assert_contains("oc login");

    let plain = bed.dir.path().join("plain.kubeconfig");
    sim.kubeconfig_with_token("plain-user-token", &plain);
    bed.extra_env = vec![("KUBECONFIG".into(), plain.display().to_string())];
    let run = bed.run(&["step3"]);
    // The first thing step3 reads is infrastructures/cluster (is OAuth the cluster's?).
    run.assert_failed()
        .assert_contains("forbidden (403)")
        .assert_contains("User \"someone\" cannot get resource \"infrastructures\"")
        .assert_contains("cluster-admin");
    assert!(!run.all().contains("plain-user-token"));
}

/// A hosted control plane (ROSA with HCP) keeps OAuth on the HostedCluster: step3 stops
/// before any write and prints the `rosa create idp` command with the values it would have
/// written, and no secret; step5 (RBAC is the cluster's own) still works.
#[test]
fn a_hosted_control_plane_is_refused_before_any_write_with_the_rosa_command() {
    let sim = Sim::start_with(|options| options.control_plane_topology = "External".into());
    let bed = sim.bed("hosted");
    sim.reset_counts();
    let refused = bed.run(&["step3"]);
    refused
        .assert_failed()
        .assert_no_panic()
        .assert_contains("controlPlaneTopology External")
        .assert_contains("rosa create idp --cluster <your cluster> --type openid --name keycloak")
        .assert_contains("--client-id ocp-oauth")
        .assert_contains(&format!(
            "--issuer-url https://127.0.0.1:{}/realms/demo",
            bed.port
        ))
        .assert_contains("--username-claims preferred_username")
        .assert_contains("--mapping-method claim");
    assert_eq!(
        sim.writes_since_reset(),
        0,
        "step3 wrote to a hosted cluster"
    );
    assert_eq!(sim.identity_provider_names(), ["htpasswd"]);
    assert!(
        !refused.all().contains(&bed.secret("client-ocp-oauth")),
        "the client secret was printed"
    );
    bed.run(&["step5"]).assert_ok();
}
