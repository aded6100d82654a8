//! `/openapi/v3` and `/openapi/v2`: what kubectl reads to choose patch types, to find
//! out that the server validates fields itself, and to `explain` kinds.

use crate::support::TestSim;
use reqwest::Method;
use serde_json::Value;

const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

/// Every served group version, as the index names it.
const SERVED: &[&str] = &[
    "api/v1",
    "apis/authentication.k8s.io/v1",
    "apis/authorization.k8s.io/v1",
    "apis/rbac.authorization.k8s.io/v1",
    "apis/config.openshift.io/v1",
    "apis/oauth.openshift.io/v1",
    "apis/project.openshift.io/v1",
    "apis/user.openshift.io/v1",
];

fn index_paths(index: &Value) -> Vec<String> {
    index["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect()
}

async fn document(sim: &TestSim, index: &Value, path: &str) -> Value {
    let url = index["paths"][path]["serverRelativeURL"]
        .as_str()
        .expect("serverRelativeURL");
    let (code, doc) = sim.get(url).await;
    assert_eq!(code, 200, "{path}: {doc}");
    doc
}

/// The operations of `doc` for `kind`, as (path, method, operation).
fn operations<'a>(doc: &'a Value, kind: &str) -> Vec<(&'a str, &'a str, &'a Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if op["x-kubernetes-group-version-kind"]["kind"] == kind {
                out.push((path.as_str(), method.as_str(), op));
            }
        }
    }
    out
}

fn patch_types(doc: &Value, kind: &str) -> Vec<String> {
    let ops = operations(doc, kind);
    let (_, _, patch) = ops
        .iter()
        .find(|(_, method, _)| *method == "patch")
        .unwrap_or_else(|| panic!("no PATCH for {kind}"));
    let mut types: Vec<String> = patch["requestBody"]["content"]
        .as_object()
        .expect("content")
        .keys()
        .cloned()
        .collect();
    types.sort();
    types
}

#[tokio::test]
async fn the_index_lists_the_served_group_versions() {
    let sim = TestSim::start().await;
    let (code, index) = sim.get("/openapi/v3").await;
    assert_eq!(code, 200, "{index}");
    let mut paths = index_paths(&index);
    paths.sort();
    let mut want: Vec<String> = SERVED.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(paths, want);
    for path in SERVED {
        let url = index["paths"][path]["serverRelativeURL"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("/openapi/v3/{path}?hash=")),
            "{url}"
        );
    }
    // Stable: the same content gives the same hashes.
    let (_, again) = sim.get("/openapi/v3").await;
    assert_eq!(index, again);

    let plain = TestSim::start_without(&["project.openshift.io"]).await;
    let (_, index) = plain.get("/openapi/v3").await;
    let paths = index_paths(&index);
    assert!(
        !paths.contains(&"apis/project.openshift.io/v1".to_string()),
        "{paths:?}"
    );
    assert_eq!(paths.len(), SERVED.len() - 1, "{paths:?}");
    let (code, _) = plain.get("/openapi/v3/apis/project.openshift.io/v1").await;
    assert_eq!(code, 404);
    let (_, v2) = plain.get("/openapi/v2").await;
    assert!(v2["definitions"]["com.github.openshift.api.project.v1.Project"].is_null());
    assert!(v2["definitions"]["com.github.openshift.api.user.v1.User"].is_object());
}

#[tokio::test]
async fn each_document_describes_its_kinds_and_their_verbs() {
    let sim = TestSim::start().await;
    let (_, index) = sim.get("/openapi/v3").await;
    let (_, core) = sim.get("/api/v1").await;
    let (_, groups) = sim.get("/apis").await;
    let mut group_versions = vec![("api/v1".to_string(), core["resources"].clone())];
    for g in groups["groups"].as_array().unwrap() {
        let gv = g["preferredVersion"]["groupVersion"].as_str().unwrap();
        let (_, list) = sim.get(&format!("/apis/{gv}")).await;
        group_versions.push((format!("apis/{gv}"), list["resources"].clone()));
    }
    for (path, resources) in group_versions {
        let doc = document(&sim, &index, &path).await;
        assert_eq!(doc["openapi"], "3.0.0");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in ["ObjectMeta", "ListMeta", "Status", "DeleteOptions"] {
            let full = format!("io.k8s.apimachinery.pkg.apis.meta.v1.{name}");
            assert!(schemas.contains_key(&full), "{path}: {full}");
        }
        for resource in resources.as_array().unwrap() {
            let kind = resource["kind"].as_str().unwrap();
            let with_gvk = schemas.values().any(|s| {
                s["x-kubernetes-group-version-kind"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|g| g["kind"] == kind))
            });
            assert!(with_gvk, "{path}: no schema for {kind}");
            let mut served: Vec<&str> = resource["verbs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            served.sort();
            let mut documented: Vec<&str> = operations(&doc, kind)
                .iter()
                .map(
                    |(_, _, op)| match op["x-kubernetes-action"].as_str().unwrap() {
                        "post" => "create",
                        "put" => "update",
                        other => other,
                    },
                )
                .collect();
            documented.sort();
            documented.dedup();
            assert_eq!(documented, served, "{path}: {kind}");
            for (p, method, op) in operations(&doc, kind) {
                let names: Vec<&str> = op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                if matches!(method, "post" | "put" | "patch") {
                    for param in ["dryRun", "fieldManager", "fieldValidation"] {
                        assert!(names.contains(&param), "{p} {method}: {names:?}");
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn patch_types_are_the_ones_the_server_takes() {
    let sim = TestSim::start().await;
    let (_, index) = sim.get("/openapi/v3").await;
    let core = document(&sim, &index, "api/v1").await;
    let builtin = [
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
    ];
    for kind in ["Namespace", "ConfigMap", "Secret"] {
        assert_eq!(patch_types(&core, kind), builtin, "{kind}");
    }
    let config = document(&sim, &index, "apis/config.openshift.io/v1").await;
    assert_eq!(
        patch_types(&config, "OAuth"),
        [
            "application/apply-patch+yaml",
            "application/json-patch+json",
            "application/merge-patch+json",
        ]
    );
    // Strategic merge patch metadata, as kubectl apply reads it.
    let meta = &core["components"]["schemas"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
    assert_eq!(
        meta["properties"]["ownerReferences"]["x-kubernetes-patch-merge-key"],
        "uid"
    );
    assert_eq!(
        meta["properties"]["finalizers"]["x-kubernetes-patch-strategy"],
        "merge"
    );
}

#[tokio::test]
async fn hashes_are_honoured_and_not_required() {
    let sim = TestSim::start().await;
    let (_, index) = sim.get("/openapi/v3").await;
    let url = index["paths"]["api/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap();
    let get = |path: String| {
        sim.http
            .get(format!("{}{path}", sim.running.api_url))
            .bearer_auth(sim.admin())
            .send()
    };
    let current = get(url.to_string()).await.unwrap();
    assert_eq!(current.status(), 200);
    assert_eq!(current.headers()["cache-control"], "public, immutable");
    assert!(current.headers().contains_key("expires"));

    let plain = get("/openapi/v3/api/v1".into()).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(!plain.headers().contains_key("cache-control"));
    let doc: Value = plain.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.0.0");

    // A stale hash sends the client to the current URL, as upstream does.
    let stale = get("/openapi/v3/api/v1?hash=0123".into()).await.unwrap();
    assert_eq!(stale.status(), 301);
    assert_eq!(stale.headers()["location"], url);
}

#[tokio::test]
async fn v2_is_served_as_json_and_protobuf() {
    let sim = TestSim::start().await;
    let (code, doc) = sim.get("/openapi/v2").await;
    assert_eq!(code, 200);
    assert_eq!(doc["swagger"], "2.0");
    let ns = &doc["definitions"]["io.k8s.api.core.v1.Namespace"];
    assert_eq!(
        ns["x-kubernetes-group-version-kind"][0]["kind"],
        "Namespace"
    );
    let patch = &doc["paths"]["/api/v1/namespaces/{name}"]["patch"];
    assert!(
        patch["consumes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "application/strategic-merge-patch+json")
    );
    let oauth_patch = &doc["paths"]["/apis/config.openshift.io/v1/oauths/{name}"]["patch"];
    assert!(
        !oauth_patch["consumes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "application/strategic-merge-patch+json")
    );
    assert!(!doc.to_string().contains("#/components/"));

    let response = sim
        .http
        .get(format!("{}/openapi/v2", sim.running.api_url))
        .bearer_auth(sim.admin())
        .header("accept", V2_PROTOBUF)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    );
    let bytes = response.bytes().await.unwrap();
    // Field 1 (swagger), length 3, "2.0": how every encoded document starts.
    assert_eq!(&bytes[..5], b"\x0a\x032.0");

    let response = sim
        .http
        .get(format!("{}/openapi/v2", sim.running.api_url))
        .bearer_auth(sim.admin())
        .header("accept", "application/vnd.kubernetes.protobuf")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 406);
}

#[tokio::test]
async fn documents_need_an_authenticated_caller() {
    let sim = TestSim::start().await;
    for path in ["/openapi/v3", "/openapi/v3/api/v1", "/openapi/v2"] {
        let (code, _) = sim
            .call(Method::GET, path, Some("no-such-token"), None, None)
            .await;
        assert_eq!(code, 401, "{path}");
        let (code, _) = sim.call(Method::GET, path, None, None, None).await;
        assert_eq!(code, 403, "{path}");
    }
}
