//! bridgectl against a real Kubernetes API server (the kit's kube-apiserver, etcd and
//! kube-controller-manager): step3's plain-Kubernetes objects, step5 on the
//! plain-Kubernetes path, `status` and `clean`, with real RBAC and real namespace
//! termination. The objects are cluster-wide, so it is one test, in order.

use serde_json::{Value, json};

use crate::support::kube::{RealKube, may_get_namespace, real_kube};
use crate::support::sim::bed_on_cluster;

const CFG: &str = "/api/v1/namespaces/openshift-config";
const OAUTH: &str = "/apis/config.openshift.io/v1/oauths/cluster";
const PROJECTS: [&str; 3] = ["project-a", "project-b", "project-c"];

fn phase(kube: &RealKube, ns: &str) -> Option<String> {
    let (status, body) = kube
        .api
        .call("GET", &format!("/api/v1/namespaces/{ns}"), None);
    (status == 200).then(|| {
        body["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    })
}

/// Every project exists and is Active on the real server.
fn assert_projects_active(kube: &RealKube, run: &crate::support::Run) {
    for project in PROJECTS {
        assert_eq!(
            phase(kube, project).as_deref(),
            Some("Active"),
            "{}",
            run.all()
        );
    }
}

fn provider_names(kube: &RealKube) -> Vec<String> {
    kube.api.get(OAUTH)["spec"]["identityProviders"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn bridgectl_converges_cleans_and_recreates_on_the_real_api_server() {
    let Some(kube) = real_kube() else { return };
    let _alone = kube.exclusive();
    let bed = bed_on_cluster("realkube", &kube.kubeconfig("bridgectl"));
    // No OAuth server here: its URL (the ocp client's redirect URI) comes from the config.
    let run = |args: &[&str]| {
        let mut all = vec![
            "--set",
            "openshift.oauth_url=https://oauth.kube-kit.invalid",
        ];
        all.extend_from_slice(args);
        bed.run(&all)
    };
    // Someone else's: a Secret beside ours, a provider in the OAuth object, a namespace.
    kube.api.ensure(
        &format!("{CFG}/secrets"),
        json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "htpass-secret"}, "data": {}
        }),
    );
    let mut oauth = kube.api.get(OAUTH);
    oauth["spec"]["identityProviders"] = json!([{
        "name": "htpasswd", "mappingMethod": "claim", "type": "HTPasswd",
        "htpasswd": {"fileData": {"name": "htpass-secret"}}
    }]);
    let (status, body) = kube.api.call("PUT", OAUTH, Some(oauth));
    assert_eq!(status, 200, "{body}");
    kube.api.ensure(
        "/api/v1/namespaces",
        json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "someone-elses"}
        }),
    );

    // OAuthClients are OpenShift's own API (not a CRD there): on this cluster step3 stops
    // at it, saying so. Then a stand-in CRD of the same group, kind and fields lets the real
    // API machinery store them (without OpenShift's validation of their content).
    let (status, _) = kube
        .api
        .call("GET", "/apis/oauth.openshift.io/v1/oauthclients", None);
    if status == 404 {
        run(&["step3"])
            .assert_failed()
            .assert_contains("oauthclient third-party-demo")
            .assert_contains("does not serve this kind of object")
            .assert_contains("step5 also works on plain Kubernetes");
    }
    kube.api.ensure(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        oauth_client_crd(),
    );
    kube.wait_until_served("/apis/oauth.openshift.io/v1/oauthclients");

    // step3: the client secret and the CA in openshift-config, the provider in oauths/cluster.
    let step3 = run(&["step3"]);
    step3.assert_ok();
    assert_eq!(
        provider_names(kube),
        ["htpasswd", "keycloak"],
        "{}",
        step3.all()
    );
    let secrets: Vec<Value> = kube.api.get(&format!(
        "{CFG}/secrets?labelSelector=app.kubernetes.io/managed-by=bridgectl"
    ))["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(secrets.len(), 1, "{}", step3.all());
    let configmaps = kube.api.get(&format!(
        "{CFG}/configmaps?labelSelector=app.kubernetes.io/managed-by=bridgectl"
    ));
    assert_eq!(
        configmaps["items"].as_array().unwrap().len(),
        1,
        "{}",
        step3.all()
    );

    // step5: namespaces and role bindings; the real RBAC then gives each user their projects.
    let step5 = run(&["step5"]);
    step5.assert_ok();
    assert_projects_active(kube, &step5);
    let sees = |user: &str| -> Vec<&str> {
        PROJECTS
            .into_iter()
            .filter(|ns| may_get_namespace(&kube.api, user, ns))
            .collect()
    };
    assert_eq!(sees("user-a"), ["project-a", "project-c"]);
    assert_eq!(sees("user-b"), ["project-b"]);
    assert_eq!(sees("user-c"), PROJECTS);

    // A second run changes nothing, by the API server's own audit log.
    let before = kube.writes_by("bridgectl");
    assert!(
        before >= 12,
        "the log holds bridgectl's first writes: {before}"
    );
    run(&["step3"]).assert_all_unchanged("step3");
    run(&["step5"]).assert_all_unchanged("step5");
    assert_eq!(
        kube.writes_by("bridgectl"),
        before,
        "a second run wrote to the cluster"
    );
    let status = run(&["status"]);
    assert_eq!(
        kube.writes_by("bridgectl"),
        before,
        "status wrote to the cluster"
    );
    // Keycloak is not part of this test: only the cluster's rows must be green.
    for (row, says) in [
        ("✔ OpenShift identity provider", "as configured"),
        ("✔ OAuthClient", "as configured"),
        ("✔ projects and bindings", "9 objects as configured"),
    ] {
        let line = status
            .all()
            .lines()
            .find(|l| l.starts_with(row))
            .map(str::to_string);
        assert!(
            line.as_deref().is_some_and(|l| l.contains(says)),
            "{row}:\n{}",
            status.all()
        );
    }

    // clean: bridgectl's objects go, the namespaces terminate for real; nothing foreign moves.
    let clean = run(&["clean", "--yes"]);
    clean.assert_ok();
    assert_eq!(provider_names(kube), ["htpasswd"], "{}", clean.all());
    let (status, _) = kube
        .api
        .call("GET", &format!("{CFG}/secrets/htpass-secret"), None);
    assert_eq!(status, 200, "a foreign secret was removed");
    assert_eq!(phase(kube, "someone-elses").as_deref(), Some("Active"));
    let terminating: Vec<_> = PROJECTS
        .iter()
        .filter(|ns| phase(kube, ns).as_deref() == Some("Terminating"))
        .collect();
    println!("right after clean, terminating: {terminating:?}");

    // step5 at once: it waits for the namespaces the controller is still removing, then
    // creates them anew.
    let again = run(&["step5"]);
    again.assert_ok();
    assert_projects_active(kube, &again);
    for project in PROJECTS {
        assert_eq!(
            again.outcome_of(&format!("project/{project}")).as_deref(),
            Some("created"),
            "{}",
            again.all()
        );
    }
    assert_eq!(sees("user-a"), ["project-a", "project-c"]);
    run(&["clean", "--yes"]).assert_ok();
}

/// OAuthClient's shape (top-level fields, cluster-scoped) as a CRD, for a cluster without
/// OpenShift's API server.
fn oauth_client_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "oauthclients.oauth.openshift.io"},
        "spec": {
            "group": "oauth.openshift.io", "scope": "Cluster",
            "names": {"kind": "OAuthClient", "listKind": "OAuthClientList", "plural": "oauthclients", "singular": "oauthclient"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                    "secret": {"type": "string"},
                    "additionalSecrets": {"type": "array", "items": {"type": "string"}},
                    "redirectURIs": {"type": "array", "items": {"type": "string"}},
                    "grantMethod": {"type": "string"},
                    "respondWithChallenges": {"type": "boolean"},
                    "accessTokenMaxAgeSeconds": {"type": "integer"},
                    "accessTokenInactivityTimeoutSeconds": {"type": "integer"},
                    "scopeRestrictions": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
                }
            }}}]
        }
    })
}

/// The kit's kubectl is a released one (stamped v1.36.3, like the server) and, as the
/// seed's users, sees what RBAC grants them: the client the sandbox is to answer next.
#[test]
fn the_kits_kubectl_is_a_released_client_of_the_real_server() {
    let Some(kube) = real_kube() else { return };
    let out = kube
        .kubectl("admin")
        .args(["version", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let versions: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        versions["clientVersion"]["gitVersion"], "v1.36.3",
        "{versions}"
    );
    assert_eq!(
        versions["serverVersion"]["gitVersion"], "v1.36.3",
        "{versions}"
    );
    let can_i = |user: &str| {
        let out = kube
            .kubectl(user)
            .args(["auth", "can-i", "list", "namespaces"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(can_i("admin"), "yes");
    assert_eq!(can_i("user-b"), "no");
}
