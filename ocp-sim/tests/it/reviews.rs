//! Reviews: access reviews answered by the same RBAC that guards requests, validated in
//! the real server's words, and SelfSubjectReview; non-resource paths beyond discovery
//! refused to ordinary users.

use crate::support::{TestSim, assert_status};
use reqwest::Method;
use serde_json::{Value, json};

const SSAR: &str = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
const SAR: &str = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

fn review(kind: &str, spec: Value) -> String {
    json!({"apiVersion": "authorization.k8s.io/v1", "kind": kind, "spec": spec}).to_string()
}

fn configmaps_in(ns: &str, verb: &str) -> Value {
    json!({"resourceAttributes": {"namespace": ns, "verb": verb, "resource": "configmaps"}})
}

async fn ask(sim: &TestSim, token: &str, path: &str, kind: &str, spec: Value) -> (u16, Value) {
    sim.call(
        Method::POST,
        path,
        Some(token),
        None,
        Some(review(kind, spec)),
    )
    .await
}

#[tokio::test]
async fn access_reviews_follow_the_bindings() {
    let sim = TestSim::start_with(&[("user-a", "token-a")]).await;
    sim.post(
        "/api/v1/namespaces",
        json!({"metadata": {"name": "team-a"}}),
    )
    .await;
    let self_review = |verb| {
        ask(
            &sim,
            "token-a",
            SSAR,
            "SelfSubjectAccessReview",
            configmaps_in("team-a", verb),
        )
    };
    let (code, before) = self_review("list").await;
    assert_eq!(code, 201, "{before}");
    assert_eq!(before["status"], json!({"allowed": false}));
    assert_eq!(
        before["spec"],
        configmaps_in("team-a", "list"),
        "the question comes back"
    );

    let (code, _) = sim
        .post(
            "/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings",
            json!({"metadata": {"name": "a-views"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                   "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "user-a"}]}),
        )
        .await;
    assert_eq!(code, 201);
    assert_eq!(self_review("list").await.1["status"]["allowed"], true);
    assert_eq!(self_review("delete").await.1["status"]["allowed"], false);

    // The admin asks about user-a; user-a may not ask about others.
    let about_a = |verb| {
        let mut spec = configmaps_in("team-a", verb);
        spec["user"] = json!("user-a");
        spec["groups"] = json!(["system:authenticated"]);
        spec
    };
    let (code, answer) = ask(
        &sim,
        &sim.admin(),
        SAR,
        "SubjectAccessReview",
        about_a("get"),
    )
    .await;
    assert_eq!(code, 201, "{answer}");
    assert_eq!(answer["status"]["allowed"], true);
    let (_, answer) = ask(
        &sim,
        &sim.admin(),
        SAR,
        "SubjectAccessReview",
        about_a("create"),
    )
    .await;
    assert_eq!(answer["status"]["allowed"], false);
    let refused = ask(&sim, "token-a", SAR, "SubjectAccessReview", about_a("get")).await;
    assert_status(&refused, 403, "Forbidden");

    // Non-resource attributes: discovery yes, anything else no; the admin everything.
    let path = |p: &str| json!({"nonResourceAttributes": {"path": p, "verb": "get"}});
    let (_, discovery) = ask(
        &sim,
        "token-a",
        SSAR,
        "SelfSubjectAccessReview",
        path("/apis"),
    )
    .await;
    assert_eq!(discovery["status"]["allowed"], true);
    let (_, metrics) = ask(
        &sim,
        "token-a",
        SSAR,
        "SelfSubjectAccessReview",
        path("/metrics"),
    )
    .await;
    assert_eq!(metrics["status"]["allowed"], false);
    let (_, admin) = ask(
        &sim,
        &sim.admin(),
        SSAR,
        "SelfSubjectAccessReview",
        path("/metrics"),
    )
    .await;
    assert_eq!(admin["status"]["allowed"], true);
    let forbidden = sim.get_as("token-a", "/metrics").await;
    assert_status(&forbidden, 403, "Forbidden");
    assert_eq!(
        forbidden.1["message"],
        "forbidden: User \"user-a\" cannot get path \"/metrics\""
    );
}

#[tokio::test]
async fn invalid_reviews_are_refused_in_the_real_servers_words() {
    let sim = TestSim::start().await;
    let admin = sim.admin();
    let neither = ask(&sim, &admin, SSAR, "SelfSubjectAccessReview", json!({})).await;
    assert_status(&neither, 422, "Invalid");
    assert!(
        neither.1["message"].as_str().unwrap().contains(
            "spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified"
        ),
        "{}",
        neither.1
    );
    let mut both = configmaps_in("default", "get");
    both["nonResourceAttributes"] = json!({"path": "/api", "verb": "get"});
    let both = ask(&sim, &admin, SSAR, "SelfSubjectAccessReview", both).await;
    assert_status(&both, 422, "Invalid");
    assert!(
        both.1["message"]
            .as_str()
            .unwrap()
            .contains("spec.nonResourceAttributes: Invalid value: {\"Path\":\"/api\",\"Verb\":\"get\"}: cannot be specified in combination with resourceAttributes"),
        "{}",
        both.1
    );
    let nobody = ask(
        &sim,
        &admin,
        SAR,
        "SubjectAccessReview",
        configmaps_in("default", "get"),
    )
    .await;
    assert_status(&nobody, 422, "Invalid");
    assert!(
        nobody.1["message"].as_str().unwrap().contains(
            "spec.user: Invalid value: \"\": at least one of user or group must be specified"
        ),
        "{}",
        nobody.1
    );
    // Reviews are only created: there is nothing to list.
    let listed = sim.get(SSAR).await;
    assert_status(&listed, 405, "MethodNotAllowed");
}

#[tokio::test]
async fn self_subject_review_says_who_is_asking() {
    let sim = TestSim::start_with(&[("user-a", "token-a")]).await;
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
    let (code, me) = sim
        .call(
            Method::POST,
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            Some("token-a"),
            None,
            Some(body.to_string()),
        )
        .await;
    assert_eq!(code, 201, "{me}");
    assert_eq!(
        me["status"]["userInfo"],
        json!({"username": "user-a", "groups": ["system:authenticated"]})
    );
}

#[tokio::test]
async fn the_admin_may_impersonate_and_nobody_else() {
    let sim = TestSim::start_with(&[("user-a", "token-a")]).await;
    let as_user = |token: String, user: &'static str| {
        let http = reqwest::Client::builder()
            .tls_certs_only([
                reqwest::Certificate::from_pem(sim.running.ca_pem.as_bytes()).unwrap(),
            ])
            .build()
            .unwrap();
        let url = format!(
            "{}/api/v1/namespaces/default/configmaps",
            sim.running.api_url
        );
        async move {
            let resp = http
                .get(url)
                .bearer_auth(token)
                .header("Impersonate-User", user)
                .send()
                .await
                .unwrap();
            let code = resp.status().as_u16();
            (code, resp.json::<Value>().await.unwrap())
        }
    };
    let impersonated = as_user(sim.admin(), "user-b").await;
    assert_status(&impersonated, 403, "Forbidden");
    assert_eq!(
        impersonated.1["message"],
        "configmaps is forbidden: User \"user-b\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    let refused = as_user("token-a".into(), "kube:admin").await;
    assert_status(&refused, 403, "Forbidden");
    assert_eq!(
        refused.1["message"],
        "users \"kube:admin\" is forbidden: User \"user-a\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
}

#[tokio::test]
async fn a_dry_run_in_the_delete_options_deletes_nothing() {
    let sim = TestSim::start().await;
    let path = "/api/v1/namespaces/default/configmaps";
    sim.post(
        path,
        json!({"metadata": {"name": "kept"}, "data": {"k": "v"}}),
    )
    .await;
    let options = json!({"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]});
    let (code, _) = sim
        .call(
            Method::DELETE,
            &format!("{path}/kept"),
            Some(&sim.admin()),
            None,
            Some(options.to_string()),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(sim.get(&format!("{path}/kept")).await.0, 200);
    assert_eq!(sim.delete(&format!("{path}/kept")).await.0, 200);
    assert_eq!(sim.get(&format!("{path}/kept")).await.0, 404);
}
