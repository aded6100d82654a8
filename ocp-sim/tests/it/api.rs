//! API-server semantics: discovery, CRUD, selectors, concurrency, patching, apply,
//! validation, authentication/authorization, projects, test hooks, persistence.

use crate::support::{TestSim, assert_status};
use reqwest::Method;
use serde_json::{Value, json};

const OAUTH: &str = "/apis/config.openshift.io/v1/oauths/cluster";
const CMS: &str = "/api/v1/namespaces/default/configmaps";

fn cm(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}, "data": {"k": "v"}})
}

fn rv(obj: &Value) -> u64 {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("resourceVersion")
}

#[tokio::test]
async fn discovery_has_the_shape_clients_expect() {
    let sim = TestSim::start().await;
    let (code, version) = sim.call(Method::GET, "/version", None, None, None).await;
    assert_eq!(code, 200);
    assert_eq!(version["major"], "1");

    let (code, api) = sim.get("/api").await;
    assert_eq!(code, 200);
    assert_eq!(api["kind"], "APIVersions");
    assert_eq!(api["versions"], json!(["v1"]));

    let (_, groups) = sim.get("/apis").await;
    let names: Vec<&str> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    for g in [
        "rbac.authorization.k8s.io",
        "config.openshift.io",
        "oauth.openshift.io",
        "project.openshift.io",
        "user.openshift.io",
    ] {
        assert!(names.contains(&g), "{g} missing from {names:?}");
    }
    assert_eq!(groups["groups"][0]["preferredVersion"]["version"], "v1");

    let (_, core) = sim.get("/api/v1").await;
    assert_eq!(core["kind"], "APIResourceList");
    assert_eq!(core["groupVersion"], "v1");
    let secrets = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "secrets")
        .unwrap();
    assert_eq!(secrets["namespaced"], true);
    assert_eq!(secrets["singularName"], "secret");
    assert_eq!(secrets["kind"], "Secret");

    let (_, config) = sim.get("/apis/config.openshift.io/v1").await;
    let oauths = &config["resources"][0];
    assert_eq!(oauths["name"], "oauths");
    assert_eq!(oauths["singularName"], "oauth");
    assert_eq!(oauths["namespaced"], false);
    assert_eq!(oauths["kind"], "OAuth");
    for verb in ["get", "list", "create", "update", "patch", "delete"] {
        assert!(oauths["verbs"].as_array().unwrap().contains(&json!(verb)));
    }
    let (_, projects) = sim.get("/apis/project.openshift.io/v1").await;
    let kinds: Vec<&str> = projects["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Project", "ProjectRequest"]);

    assert_status(&sim.get("/apis/nope.example.com/v1").await, 404, "NotFound");
    assert_status(
        &sim.get("/apis/config.openshift.io/v1/widgets").await,
        404,
        "NotFound",
    );

    // Anonymous discovery is refused like on OpenShift, with the real wording.
    let anon = sim.call(Method::GET, "/api", None, None, None).await;
    assert_status(&anon, 403, "Forbidden");
    assert_eq!(
        anon.1["message"],
        "forbidden: User \"system:anonymous\" cannot get path \"/api\""
    );

    // Aggregated discovery when asked for.
    let resp = sim
        .http
        .get(format!("{}/apis", sim.running.api_url))
        .bearer_auth(sim.admin())
        .header(
            "accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
        )
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("as=APIGroupDiscoveryList")
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["kind"], "APIGroupDiscoveryList");
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["metadata"]["name"] == "user.openshift.io")
    );
}

#[tokio::test]
async fn kube_rs_works_unmodified() {
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
    use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
    use kube::core::GroupVersionKind;
    use kube::discovery::{Discovery, Scope};

    let sim = TestSim::start().await;
    let kubeconfig = kube::config::Kubeconfig::read_from(&sim.running.kubeconfig).unwrap();
    assert_eq!(kubeconfig.current_context.as_deref(), Some("ocp-sim"));
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();

    for discovery in [
        Discovery::new(client.clone()).run().await.unwrap(),
        Discovery::new(client.clone())
            .run_aggregated()
            .await
            .unwrap(),
    ] {
        let gvk = GroupVersionKind::gvk("config.openshift.io", "v1", "OAuth");
        let (ar, caps) = discovery.resolve_gvk(&gvk).expect("OAuth discovered");
        assert_eq!(ar.plural, "oauths");
        assert_eq!(caps.scope, Scope::Cluster);
        let gvk = GroupVersionKind::gvk("project.openshift.io", "v1", "ProjectRequest");
        assert!(discovery.resolve_gvk(&gvk).is_some());
    }

    let namespaces: Api<Namespace> = Api::all(client.clone());
    let names: Vec<String> = namespaces
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert!(names.contains(&"openshift-config".to_string()), "{names:?}");

    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut created = cms
        .create(
            &PostParams::default(),
            &serde_json::from_value(cm("kube", json!({}))).unwrap(),
        )
        .await
        .unwrap();
    let stale = created.clone();
    created.data = Some([("k".to_string(), "v2".to_string())].into());
    cms.replace("kube", &PostParams::default(), &created)
        .await
        .unwrap();
    match cms.replace("kube", &PostParams::default(), &stale).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 409);
            assert_eq!(status.reason, "Conflict");
        }
        other => panic!("expected a 409, got {other:?}"),
    }

    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let (ar, _) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("config.openshift.io", "v1", "OAuth"))
        .unwrap();
    let oauths: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let cluster = oauths.get("cluster").await.unwrap();
    assert_eq!(
        cluster.data["spec"]["identityProviders"][0]["name"],
        "htpasswd"
    );
    let applied = json!({
        "apiVersion": "config.openshift.io/v1", "kind": "OAuth", "metadata": {"name": "cluster"},
        "spec": {"identityProviders": [{"name": "htpasswd", "mappingMethod": "claim", "type": "HTPasswd", "htpasswd": {"fileData": {"name": "htpass-secret"}}},
                                        {"name": "extra", "mappingMethod": "claim", "type": "HTPasswd", "htpasswd": {"fileData": {"name": "other"}}}]}
    });
    let err = oauths
        .patch(
            "cluster",
            &PatchParams::apply("bridgectl"),
            &Patch::Apply(&applied),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 409),
        "{err:?}"
    );
    let patched = oauths
        .patch(
            "cluster",
            &PatchParams::apply("bridgectl").force(),
            &Patch::Apply(&applied),
        )
        .await
        .unwrap();
    assert_eq!(
        patched.data["spec"]["identityProviders"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    cms.delete("kube", &Default::default()).await.unwrap();
}

#[tokio::test]
async fn create_get_list_and_selectors() {
    let sim = TestSim::start().await;
    let (code, a) = sim
        .post(CMS, cm("a", json!({"app": "x", "tier": "web"})))
        .await;
    assert_eq!(code, 201, "{a}");
    assert!(a["metadata"]["uid"].as_str().is_some_and(|u| u.len() == 36));
    assert!(
        a["metadata"]["creationTimestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert!(rv(&a) > 0);
    assert_eq!(
        sim.post(CMS, cm("b", json!({"app": "x", "tier": "db"})))
            .await
            .0,
        201
    );
    assert_eq!(sim.post(CMS, cm("c", json!({"app": "y"}))).await.0, 201);

    let dup = sim.post(CMS, cm("a", json!({}))).await;
    assert_status(&dup, 409, "AlreadyExists");
    assert_eq!(dup.1["message"], "configmaps \"a\" already exists");
    assert_eq!(dup.1["details"], json!({"name": "a", "kind": "configmaps"}));

    let (code, _) = sim
        .post(&format!("{CMS}?dryRun=All"), cm("dry", json!({})))
        .await;
    assert_eq!(code, 201);
    assert_status(&sim.get(&format!("{CMS}/dry")).await, 404, "NotFound");
    let (code, got) = sim.get(&format!("{CMS}/a")).await;
    assert_eq!(code, 200);
    assert_eq!(got["kind"], "ConfigMap");
    assert_eq!(got["metadata"]["namespace"], "default");

    let names = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = sim.get(CMS).await;
    assert_eq!(all["kind"], "ConfigMapList");
    assert_eq!(names(&all), ["a", "b", "c"]);
    assert!(
        all["items"][0].get("kind").is_none(),
        "built-in list items carry no kind"
    );
    assert_eq!(
        names(
            &sim.get(&format!("{CMS}?labelSelector=app%3Dx,tier%3Dweb"))
                .await
                .1
        ),
        ["a"]
    );
    assert_eq!(
        names(&sim.get(&format!("{CMS}?labelSelector=app%3Dx")).await.1),
        ["a", "b"]
    );
    assert_eq!(
        names(&sim.get(&format!("{CMS}?labelSelector=app!%3Dx")).await.1),
        ["c"]
    );
    assert_eq!(
        names(
            &sim.get(&format!("{CMS}?fieldSelector=metadata.name%3Db"))
                .await
                .1
        ),
        ["b"]
    );
    assert_status(
        &sim.get(&format!("{CMS}?fieldSelector=spec.foo%3Db")).await,
        400,
        "BadRequest",
    );

    let missing_ns = sim
        .post("/api/v1/namespaces/nope/configmaps", cm("a", json!({})))
        .await;
    assert_status(&missing_ns, 404, "NotFound");
    assert_eq!(missing_ns.1["message"], "namespaces \"nope\" not found");
    let missing = sim.get(&format!("{CMS}/zzz")).await;
    assert_status(&missing, 404, "NotFound");
    assert_eq!(missing.1["message"], "configmaps \"zzz\" not found");

    let bad_json = sim
        .call(
            Method::POST,
            CMS,
            Some(&sim.admin()),
            None,
            Some("{not json".into()),
        )
        .await;
    assert_status(&bad_json, 400, "BadRequest");
    let wrong_version = sim
        .post(
            CMS,
            json!({"apiVersion": "v2", "kind": "ConfigMap", "metadata": {"name": "q"}}),
        )
        .await;
    assert_status(&wrong_version, 400, "BadRequest");
    let wrong_kind = sim
        .post(
            CMS,
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "q"}}),
        )
        .await;
    assert_status(&wrong_kind, 400, "BadRequest");
    let wrong_name = sim.put(&format!("{CMS}/a"), cm("other", json!({}))).await;
    assert_status(&wrong_name, 400, "BadRequest");
    assert_eq!(
        wrong_name.1["message"],
        "the name of the object (other) does not match the name on the URL (a)"
    );
    let no_name = sim
        .post(
            CMS,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}),
        )
        .await;
    assert_status(&no_name, 422, "Invalid");
    assert_eq!(
        no_name.1["message"],
        "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required"
    );
    let text = sim
        .call(
            Method::POST,
            CMS,
            Some(&sim.admin()),
            Some("text/plain"),
            Some("x".into()),
        )
        .await;
    assert_status(&text, 415, "UnsupportedMediaType");
}

#[tokio::test]
async fn replace_needs_the_current_resource_version() {
    let sim = TestSim::start().await;
    let (_, oauth) = sim.get(OAUTH).await;
    let mut stale = oauth.clone();
    stale["metadata"]["resourceVersion"] = json!("1");
    let conflict = sim.put(OAUTH, stale).await;
    assert_status(&conflict, 409, "Conflict");
    assert_eq!(
        conflict.1["message"],
        "Operation cannot be fulfilled on oauths.config.openshift.io \"cluster\": the object has been modified; please apply your changes to the latest version and try again"
    );
    assert_eq!(
        conflict.1["details"],
        json!({"name": "cluster", "group": "config.openshift.io", "kind": "oauths"})
    );

    // A custom resource refuses an update without resourceVersion.
    let mut unversioned = oauth.clone();
    unversioned["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("resourceVersion");
    let invalid = sim.put(OAUTH, unversioned).await;
    assert_status(&invalid, 422, "Invalid");
    assert_eq!(
        invalid.1["message"],
        "oauths.config.openshift.io \"cluster\" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update"
    );
    assert_eq!(invalid.1["details"]["kind"], "oauths");

    // The current version works and bumps it; a no-op write keeps it.
    let mut current = oauth.clone();
    current["spec"]["identityProviders"][0]["mappingMethod"] = json!("add");
    let (code, updated) = sim.put(OAUTH, current).await;
    assert_eq!(code, 200, "{updated}");
    assert!(rv(&updated) > rv(&oauth));
    assert_eq!(updated["metadata"]["generation"], 2);
    let (code, again) = sim.put(OAUTH, updated.clone()).await;
    assert_eq!(code, 200);
    assert_eq!(rv(&again), rv(&updated));
    assert_eq!(
        sim.put(OAUTH, oauth).await.0,
        409,
        "the old version is stale now"
    );

    // Built-in kinds allow unconditional updates.
    sim.post(CMS, cm("u", json!({}))).await;
    let (code, body) = sim
        .put(&format!("{CMS}/u"), cm("u", json!({"x": "y"})))
        .await;
    assert_eq!(code, 200, "{body}");
    assert_status(
        &sim.put(&format!("{CMS}/none"), cm("none", json!({}))).await,
        404,
        "NotFound",
    );
}

#[tokio::test]
async fn merge_patch_and_patch_types() {
    let sim = TestSim::start().await;
    sim.post(CMS, cm("p", json!({}))).await;
    let (code, patched) = sim
        .patch(
            &format!("{CMS}/p"),
            "application/merge-patch+json",
            json!({"data": {"extra": "1", "k": null}}),
        )
        .await;
    assert_eq!(code, 200, "{patched}");
    assert_eq!(patched["data"], json!({"extra": "1"}));

    let (code, _) = sim
        .patch(
            &format!("{CMS}/p"),
            "application/strategic-merge-patch+json",
            json!({"data": {"s": "1"}}),
        )
        .await;
    assert_eq!(code, 200);
    let (code, body) = sim
        .patch(
            &format!("{CMS}/p"),
            "application/json-patch+json",
            json!([{"op": "add", "path": "/data/j", "value": "2"}]),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"]["j"], "2");

    let stale = sim
        .patch(
            OAUTH,
            "application/merge-patch+json",
            json!({"metadata": {"resourceVersion": "1"}, "spec": {}}),
        )
        .await;
    assert_status(&stale, 409, "Conflict");
    assert_status(
        &sim.patch(OAUTH, "application/strategic-merge-patch+json", json!({}))
            .await,
        415,
        "UnsupportedMediaType",
    );
    assert_status(
        &sim.patch(OAUTH, "text/plain", json!({})).await,
        415,
        "UnsupportedMediaType",
    );
    assert_status(
        &sim.patch(
            &format!("{CMS}/none"),
            "application/merge-patch+json",
            json!({}),
        )
        .await,
        404,
        "NotFound",
    );

    // A merge patch replaces the identity provider list too (it is a JSON list).
    let (code, body) = sim
        .patch(OAUTH, "application/merge-patch+json", json!({"spec": {"identityProviders": [{"name": "x", "type": "HTPasswd", "htpasswd": {"fileData": {"name": "f"}}}]}}))
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        body["spec"]["identityProviders"][0]["mappingMethod"], "claim",
        "defaulted"
    );
}

#[tokio::test]
async fn server_side_apply_replaces_the_atomic_provider_list() {
    let sim = TestSim::start().await;
    let keycloak = json!({"name": "keycloak", "mappingMethod": "claim", "type": "OpenID",
        "openID": {"clientID": "ocp", "clientSecret": {"name": "s"}, "issuer": "https://kc.example/realms/demo"}});
    let body = json!({"apiVersion": "config.openshift.io/v1", "kind": "OAuth", "metadata": {"name": "cluster"},
        "spec": {"identityProviders": [keycloak]}});
    let apply = "application/apply-patch+yaml";

    let no_manager = sim.patch(OAUTH, apply, body.clone()).await;
    assert_status(&no_manager, 422, "Invalid");
    assert_eq!(
        no_manager.1["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );

    let conflict = sim
        .patch(
            &format!("{OAUTH}?fieldManager=bridgectl"),
            apply,
            body.clone(),
        )
        .await;
    assert_status(&conflict, 409, "Conflict");
    assert_eq!(
        conflict.1["message"],
        "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using config.openshift.io/v1: .spec.identityProviders"
    );

    let (code, forced) = sim
        .patch(
            &format!("{OAUTH}?fieldManager=bridgectl&force=true"),
            apply,
            body.clone(),
        )
        .await;
    assert_eq!(code, 200, "{forced}");
    let names: Vec<&str> = forced["spec"]["identityProviders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["keycloak"],
        "the applied list replaced the whole list, deleting htpasswd"
    );
    let managers: Vec<&str> = forced["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert!(managers.contains(&"bridgectl"));

    // Apply creates what does not exist, and drops fields the manager stops applying.
    let applied_cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"a": "1", "b": "2"}});
    let (code, created) = sim
        .patch(&format!("{CMS}/applied?fieldManager=me"), apply, applied_cm)
        .await;
    assert_eq!(code, 201, "{created}");
    let (code, reapplied) = sim
        .patch(&format!("{CMS}/applied?fieldManager=me"), apply, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"a": "1"}}))
        .await;
    assert_eq!(code, 200);
    assert_eq!(reapplied["data"], json!({"a": "1"}));
}

#[tokio::test]
async fn delete_and_namespace_cascade() {
    let sim = TestSim::start().await;
    assert_eq!(
        sim.post(
            "/api/v1/namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
        )
        .await
        .0,
        201
    );
    let path = "/api/v1/namespaces/tmp/configmaps";
    assert_eq!(sim.post(path, cm("x", json!({}))).await.0, 201);
    let (code, deleted) = sim.delete(&format!("{path}/x")).await;
    assert_eq!(code, 200);
    assert_eq!(deleted["kind"], "Status");
    assert_eq!(deleted["status"], "Success");
    assert_eq!(deleted["details"]["name"], "x");
    assert_status(&sim.delete(&format!("{path}/x")).await, 404, "NotFound");
    assert_eq!(sim.post(path, cm("y", json!({}))).await.0, 201);
    let (code, ns) = sim.delete("/api/v1/namespaces/tmp").await;
    assert_eq!(code, 200);
    assert_eq!(ns["status"]["phase"], "Terminating");
    let dry = sim
        .post(&format!("{path}?dryRun=All"), cm("dry", json!({})))
        .await;
    assert_status(&dry, 404, "NotFound");
    assert_status(&sim.get(&format!("{path}/y")).await, 404, "NotFound");
    let protected = sim.delete("/api/v1/namespaces/default").await;
    assert_status(&protected, 403, "Forbidden");
    assert_status(
        &sim.call(Method::DELETE, path, Some(&sim.admin()), None, None)
            .await,
        405,
        "MethodNotAllowed",
    );
}

#[tokio::test]
async fn schema_violations_are_422() {
    let sim = TestSim::start().await;
    let (_, oauth) = sim.get(OAUTH).await;
    let with_idps = |idps: Value| {
        let mut o = oauth.clone();
        o["spec"]["identityProviders"] = idps;
        o
    };
    let cases = [
        (
            json!([{"type": "HTPasswd", "htpasswd": {"fileData": {"name": "f"}}}]),
            "spec.identityProviders[0].name: Required value",
        ),
        (
            json!([{"name": "a", "type": "HTPasswd", "htpasswd": {"fileData": {"name": "f"}}}, {"name": "a", "type": "HTPasswd", "htpasswd": {"fileData": {"name": "f"}}}]),
            "spec.identityProviders[1].name: Duplicate value: \"a\"",
        ),
        (
            json!([{"name": "a", "type": "Magic"}]),
            "spec.identityProviders[0].type: Unsupported value: \"Magic\"",
        ),
        (
            json!([{"name": "a", "type": "HTPasswd", "mappingMethod": "whatever", "htpasswd": {"fileData": {"name": "f"}}}]),
            "spec.identityProviders[0].mappingMethod: Unsupported value: \"whatever\"",
        ),
        (
            json!([{"name": "a", "type": "OpenID", "openID": {"issuer": "https://x"}}]),
            "spec.identityProviders[0].openID.clientID: Required value",
        ),
        (
            json!([{"name": "a", "type": "OpenID", "openID": {"clientID": "c", "issuer": "https://x"}}]),
            "spec.identityProviders[0].openID.clientSecret.name: Required value",
        ),
        (
            json!([{"name": "a", "type": "OpenID", "openID": {"clientID": "c", "clientSecret": {"name": "s"}}}]),
            "spec.identityProviders[0].openID.issuer: Required value",
        ),
        (
            json!([{"name": "a", "type": "OpenID", "openID": {"clientID": "c", "clientSecret": {"name": "s"}, "issuer": "http://x"}}]),
            "spec.identityProviders[0].openID.issuer: Invalid value: \"http://x\": must use https scheme",
        ),
    ];
    for (idps, expected) in cases {
        let got = sim.put(OAUTH, with_idps(idps)).await;
        assert_status(&got, 422, "Invalid");
        let message = got.1["message"].as_str().unwrap();
        assert!(
            message.starts_with("OAuth.config.openshift.io \"cluster\" is invalid: "),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{message} should contain {expected}"
        );
        assert_eq!(got.1["details"]["kind"], "OAuth");
    }

    let rbs = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings";
    let no_ref = sim.post(rbs, json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "r"}, "subjects": [{"kind": "User", "name": "a"}]})).await;
    assert_status(&no_ref, 422, "Invalid");
    assert!(
        no_ref.1["message"]
            .as_str()
            .unwrap()
            .contains("roleRef.name: Required value")
    );
    let bad_subject = sim
        .post(rbs, json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "r"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"apiGroup": "rbac.authorization.k8s.io"}]}))
        .await;
    assert_status(&bad_subject, 422, "Invalid");
    let message = bad_subject.1["message"].as_str().unwrap();
    assert!(
        message.contains("subjects[0].name: Required value")
            && message.contains("subjects[0].kind: Unsupported value: \"\""),
        "{message}"
    );

    let (code, rb) = sim
        .post(rbs, json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "r"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "User", "name": "a"}]}))
        .await;
    assert_eq!(code, 201, "{rb}");
    assert_eq!(
        rb["subjects"][0]["apiGroup"], "rbac.authorization.k8s.io",
        "defaulted like rbac/v1"
    );
    let mut changed = rb.clone();
    changed["roleRef"]["name"] = json!("edit");
    let immutable = sim.put(&format!("{rbs}/r"), changed).await;
    assert_status(&immutable, 422, "Invalid");
    assert_eq!(
        immutable.1["message"],
        "RoleBinding.rbac.authorization.k8s.io \"r\" is invalid: roleRef: Invalid value: {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"ClusterRole\",\"Name\":\"edit\"}: cannot change roleRef"
    );
}

#[tokio::test]
async fn unknown_fields_are_dropped_with_a_warning() {
    let sim = TestSim::start().await;
    let resp = sim
        .http
        .post(format!("{}/apis/oauth.openshift.io/v1/oauthclients", sim.running.api_url))
        .bearer_auth(sim.admin())
        .json(&json!({"apiVersion": "oauth.openshift.io/v1", "kind": "OAuthClient", "metadata": {"name": "typo"},
            "secret": "s", "redirectUris": ["https://app/cb"], "grantMethod": "auto"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let warning = resp
        .headers()
        .get("warning")
        .expect("a warning header")
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        warning.contains("unknown field \\\"redirectUris\\\""),
        "{warning}"
    );
    let body: Value = resp.json().await.unwrap();
    assert!(body.get("redirectUris").is_none() && body.get("redirectURIs").is_none());
    let wrong_type = sim.post(CMS, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t"}, "data": {"n": 5}})).await;
    assert_status(&wrong_type, 400, "BadRequest");
}

#[tokio::test]
async fn authentication_and_authorization_wording() {
    let sim = TestSim::start_with(&[("user-a", "token-a")]).await;
    assert_status(&sim.get_as("not-a-token", OAUTH).await, 401, "Unauthorized");
    let forbidden = sim.get_as("token-a", OAUTH).await;
    assert_status(&forbidden, 403, "Forbidden");
    assert_eq!(
        forbidden.1["message"],
        "oauths.config.openshift.io \"cluster\" is forbidden: User \"user-a\" cannot get resource \"oauths\" in API group \"config.openshift.io\" at the cluster scope"
    );
    assert_eq!(
        forbidden.1["details"],
        json!({"name": "cluster", "group": "config.openshift.io", "kind": "oauths"})
    );
    let list = sim.get_as("token-a", "/api/v1/namespaces").await;
    assert_status(&list, 403, "Forbidden");
    assert_eq!(
        list.1["message"],
        "namespaces is forbidden: User \"user-a\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"
    );
    let ns = sim
        .get_as("token-a", "/api/v1/namespaces/default/secrets")
        .await;
    assert_eq!(
        ns.1["message"],
        "secrets is forbidden: User \"user-a\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\""
    );
    let (code, me) = sim
        .get_as("token-a", "/apis/user.openshift.io/v1/users/~")
        .await;
    assert_eq!(code, 200);
    assert_eq!(me["metadata"]["name"], "user-a");
    let (code, admin) = sim.get("/apis/user.openshift.io/v1/users/~").await;
    assert_eq!(code, 200);
    assert_eq!(admin["metadata"]["name"], "kube:admin");
    assert_eq!(
        sim.get_as("token-a", "/apis").await.0,
        200,
        "discovery is open to authenticated users"
    );
    let (code, meta) = sim
        .call(
            Method::GET,
            "/.well-known/oauth-authorization-server",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(meta["issuer"], sim.running.oauth_url.as_str());
}

async fn bind(sim: &TestSim, ns: &str, role: &str, user: &str) {
    let (code, body) = sim
        .post(&format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings"), json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": format!("{role}-{user}")},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
        }))
        .await;
    assert_eq!(code, 201, "{body}");
}

#[tokio::test]
async fn projects_follow_rbac() {
    let sim = TestSim::start_with(&[
        ("user-a", "ta"),
        ("user-b", "tb"),
        ("user-c", "tc"),
        ("nobody", "tn"),
    ])
    .await;
    let requests = "/apis/project.openshift.io/v1/projectrequests";
    for p in ["project-a", "project-b", "project-c"] {
        let (code, project) = sim
            .post(requests, json!({"kind": "ProjectRequest", "apiVersion": "project.openshift.io/v1", "metadata": {"name": p}, "displayName": format!("Project {p}")}))
            .await;
        assert_eq!(code, 201, "{project}");
        assert_eq!(project["kind"], "Project");
        assert_eq!(
            project["metadata"]["annotations"]["openshift.io/requester"],
            "kube:admin"
        );
        assert_eq!(
            project["metadata"]["annotations"]["openshift.io/display-name"],
            format!("Project {p}")
        );
        let (code, rb) = sim
            .get(&format!(
                "/apis/rbac.authorization.k8s.io/v1/namespaces/{p}/rolebindings/admin"
            ))
            .await;
        assert_eq!(code, 200);
        assert_eq!(rb["roleRef"]["name"], "admin");
    }
    let dup = sim.post(requests, json!({"kind": "ProjectRequest", "apiVersion": "project.openshift.io/v1", "metadata": {"name": "project-a"}})).await;
    assert_status(&dup, 409, "AlreadyExists");
    assert_eq!(
        dup.1["message"],
        "project.project.openshift.io \"project-a\" already exists"
    );
    assert_status(
        &sim.post(requests, json!({"kind": "ProjectRequest", "apiVersion": "project.openshift.io/v1", "metadata": {"name": "openshift-x"}})).await,
        403,
        "Forbidden",
    );

    bind(&sim, "project-a", "view", "user-a").await;
    bind(&sim, "project-c", "view", "user-a").await;
    bind(&sim, "project-b", "edit", "user-b").await;
    bind(&sim, "project-c", "admin", "user-c").await;
    bind(&sim, "project-a", "view", "user-c").await;
    bind(&sim, "project-b", "view", "user-c").await;

    let list = |token: &'static str| {
        let sim = &sim;
        async move {
            let (code, body) = sim
                .get_as(token, "/apis/project.openshift.io/v1/projects")
                .await;
            assert_eq!(code, 200, "{body}");
            assert_eq!(body["kind"], "ProjectList");
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("ta").await, ["project-a", "project-c"]);
    assert_eq!(list("tb").await, ["project-b"]);
    assert_eq!(list("tc").await, ["project-a", "project-b", "project-c"]);
    assert!(list("tn").await.is_empty());
    let (_, all) = sim.get("/apis/project.openshift.io/v1/projects").await;
    assert!(
        all["items"].as_array().unwrap().len() >= 7,
        "admin sees every namespace"
    );

    assert_eq!(
        sim.get_as("ta", "/apis/project.openshift.io/v1/projects/project-a")
            .await
            .0,
        200
    );
    let denied = sim
        .get_as("ta", "/apis/project.openshift.io/v1/projects/project-b")
        .await;
    assert_status(&denied, 403, "Forbidden");
    assert_eq!(
        denied.1["message"],
        "projects.project.openshift.io \"project-b\" is forbidden: User \"user-a\" cannot get resource \"projects\" in API group \"project.openshift.io\" in the namespace \"project-b\""
    );
    // View does not include secrets; edit does.
    assert_eq!(
        sim.get_as("ta", "/api/v1/namespaces/project-a/configmaps")
            .await
            .0,
        200
    );
    assert_eq!(
        sim.get_as("ta", "/api/v1/namespaces/project-a/secrets")
            .await
            .0,
        403
    );
    assert_eq!(
        sim.get_as("tb", "/api/v1/namespaces/project-b/secrets")
            .await
            .0,
        200
    );

    let (code, _) = sim
        .delete("/apis/project.openshift.io/v1/projects/project-c")
        .await;
    assert_eq!(code, 200);
    assert_status(
        &sim.get("/api/v1/namespaces/project-c").await,
        404,
        "NotFound",
    );
    assert_status(
        &sim.get("/apis/project.openshift.io/v1/projects/project-c")
            .await,
        404,
        "NotFound",
    );
    assert_eq!(list("tc").await, ["project-a", "project-b"]);
}

#[tokio::test]
async fn test_hooks_inject_faults_and_count_requests() {
    let sim = TestSim::start_with(&[("user-a", "ta")]).await;

    assert_status(&sim.get_as("ta", "/_sim/requests").await, 403, "Forbidden");
    let (code, _) = sim.delete("/_sim/requests").await;
    assert_eq!(code, 200);

    let (code, _) = sim.post("/_sim/faults", json!({"method": "PUT", "path_prefix": "/apis/config.openshift.io/v1/oauths", "status": 409, "count": 2})).await;
    assert_eq!(code, 201);
    let (_, oauth) = sim.get(OAUTH).await;
    for _ in 0..2 {
        let got = sim.put(OAUTH, oauth.clone()).await;
        assert_status(&got, 409, "Conflict");
        assert!(
            got.1["message"]
                .as_str()
                .unwrap()
                .contains("the object has been modified")
        );
    }
    assert_eq!(sim.put(OAUTH, oauth.clone()).await.0, 200);

    sim.post(
        "/_sim/faults",
        json!({"path_prefix": "/api/v1/namespaces", "status": 500}),
    )
    .await;
    assert_status(&sim.get("/api/v1/namespaces").await, 500, "InternalError");
    assert_eq!(sim.get("/api/v1/namespaces").await.0, 200);

    sim.post(
        "/_sim/faults",
        json!({"method": "GET", "path_prefix": "/api/v1", "close_connection": true}),
    )
    .await;
    let dropped = sim
        .http
        .get(format!("{}/api/v1", sim.running.api_url))
        .bearer_auth(sim.admin())
        .send()
        .await;
    assert!(dropped.is_err(), "the connection should have been dropped");

    // Another admin edits the object between our read and our write.
    sim.post("/_sim/mutate-after-read", json!({"path": OAUTH, "merge_patch": {"metadata": {"annotations": {"edited": "by-someone"}}}})).await;
    let (_, read) = sim.get(OAUTH).await;
    let lost = sim.put(OAUTH, read.clone()).await;
    assert_status(&lost, 409, "Conflict");
    let (_, now) = sim.get(OAUTH).await;
    assert_eq!(now["metadata"]["annotations"]["edited"], "by-someone");

    let (_, report) = sim.get("/_sim/requests").await;
    assert_eq!(report["counts"]["PUT"], 4, "{report}");
    assert!(report["counts"]["GET"].as_u64().unwrap() >= 6, "{report}");
    assert!(
        report["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["status"] == 409)
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().to_path_buf();
    let sim = TestSim::start_in(dir, &[]).await;
    let token = sim.admin();
    let (_, created) = sim.post(CMS, cm("persisted", json!({"a": "b"}))).await;
    let ca = sim.running.ca_pem.clone();
    let TestSim { running, dir, .. } = sim;
    drop(running);

    let again = TestSim::start_in(dir, &[]).await;
    assert_eq!(again.admin(), token, "the admin token is kept");
    assert_eq!(again.running.ca_pem, ca, "the CA is kept");
    let (code, got) = again.get(&format!("{CMS}/persisted")).await;
    assert_eq!(code, 200);
    assert_eq!(got["metadata"]["uid"], created["metadata"]["uid"]);
    let (_, next) = again.post(CMS, cm("later", json!({}))).await;
    assert!(rv(&next) > rv(&created), "resourceVersion keeps counting");
    let mode = std::fs::metadata(keep.join("data")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o700);
    let state = std::fs::metadata(keep.join("data/state.json")).unwrap();
    assert_eq!(state.permissions().mode() & 0o777, 0o600);
}

#[tokio::test]
async fn the_binary_prints_its_urls() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ocp-sim"))
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .args([
            "--api-listen",
            "127.0.0.1:0",
            "--oauth-listen",
            "127.0.0.1:0",
            "--token",
            "someone=tok",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap();
    let api = info["api_url"].as_str().unwrap();
    assert!(api.starts_with("https://127.0.0.1:"));
    assert!(
        info["oauth_url"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    );
    let kubeconfig = std::fs::read_to_string(info["kubeconfig"].as_str().unwrap()).unwrap();
    assert!(kubeconfig.contains(api) && kubeconfig.contains("certificate-authority-data"));
    let ca = std::fs::read_to_string(info["ca_file"].as_str().unwrap()).unwrap();
    let http = crate::support::client_for(&ca, false);
    let resp = http
        .get(format!("{api}/apis/user.openshift.io/v1/users/~"))
        .bearer_auth("tok")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    child.kill().await.unwrap();
}

/// A client certificate signed by the simulator's CA authenticates its subject (common
/// name: the user, organization: a group), before any token; `system:masters` is a
/// cluster-admin, as the installer kubeconfig of a single-node cluster is.
#[tokio::test]
async fn client_certificates_authenticate_their_subject() {
    let sim = TestSim::start().await;
    let data = sim.dir.path().join("data");
    let read = |name: &str| std::fs::read_to_string(data.join(name)).unwrap();
    let with_identity = |pem: String| {
        reqwest::Client::builder()
            .tls_certs_only([
                reqwest::Certificate::from_pem(sim.running.ca_pem.as_bytes()).unwrap(),
            ])
            .identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap())
            .build()
            .unwrap()
    };
    let namespaces = format!("{}/api/v1/namespaces", sim.running.api_url);

    let admin = with_identity(read("admin-client.crt") + &read("admin-client.key"));
    let resp = admin.get(&namespaces).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    let now = time::OffsetDateTime::now_utc();
    let ca = pki::Pair {
        cert_pem: read("ca.crt"),
        key_pem: read("ca.key"),
    };
    let alice = pki::issue_client(
        &ca,
        &pki::Subject {
            organization: "devs",
            common_name: "alice",
            not_before: now - time::Duration::hours(1),
            not_after: now + time::Duration::days(1),
        },
    )
    .unwrap();
    let resp = with_identity(alice.cert_pem + &alice.key_pem)
        .get(&namespaces)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["message"],
        "namespaces is forbidden: User \"alice\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"
    );
}

/// kubectl asks for strict field validation: an unknown field then refuses the request
/// (400, nothing stored), as kube-apiserver does, instead of being dropped with a warning.
#[tokio::test]
async fn strict_field_validation_refuses_unknown_fields() {
    let sim = TestSim::start().await;
    let mut body = cm("strict", json!({}));
    body["bogus"] = json!(1);
    let refused = sim
        .post(&format!("{CMS}?fieldValidation=Strict"), body.clone())
        .await;
    assert_status(&refused, 400, "BadRequest");
    assert_eq!(
        refused.1["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"bogus\""
    );
    assert_eq!(sim.get(&format!("{CMS}/strict")).await.0, 404);
    // Without it the field is dropped and the object stored.
    assert_eq!(sim.post(CMS, body).await.0, 201);
}
