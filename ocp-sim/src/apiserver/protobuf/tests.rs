//! Bodies captured from a real kubectl v1.36.3 (the kit's), decoded to the JSON a real
//! server reads from them.

use serde_json::json;

use super::{Refusal, decode};

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// `kubectl create namespace team-a`
const NAMESPACE: &str = concat!(
    "6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a0022002a00320038",
    "00420012001a020a001a002200",
);
/// `kubectl create secret generic s1 -n team-a --from-literal=k=v --type=Opaque`
const SECRET: &str = concat!(
    "6b3873000a0c0a0276311206536563726574122a0a180a02733112001a067465616d2d6122002a0032003800",
    "420012060a016b1201761a064f70617175651a002200",
);
/// `kubectl create configmap c1 -n team-a --from-literal=a=b`
const CONFIGMAP: &str = concat!(
    "6b3873000a0f0a0276311209436f6e6669674d617012220a180a02633112001a067465616d2d6122002a0032",
    "003800420012060a01611201621a002200",
);
/// `kubectl create rolebinding rb -n team-a --clusterrole=view --user=user-a --group=g1`
const ROLEBINDING: &str = concat!(
    "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c654269",
    "6e64696e6712a1010a180a02726212001a067465616d2d6122002a00320038004200122b0a04557365721219",
    "726261632e617574686f72697a6174696f6e2e6b38732e696f1a06757365722d61220012280a0547726f7570",
    "1219726261632e617574686f72697a6174696f6e2e6b38732e696f1a02673122001a2e0a19726261632e6175",
    "74686f72697a6174696f6e2e6b38732e696f120b436c7573746572526f6c651a04766965771a002200",
);
/// `kubectl auth can-i get secrets -n team-a`
const SSAR_SECRETS: &str = concat!(
    "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374",
    "416363657373526576696577123e0a100a0012001a0022002a0032003800420012200a1e0a067465616d2d61",
    "12036765741a0022002a077365637265747332003a001a08080012001a0020001a002200",
);
/// `kubectl auth can-i list namespaces --as=user-a`
const SSAR_AS_USER: &str = concat!(
    "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374",
    "41636365737352657669657712430a100a0012001a0022002a0032003800420012250a230a0764656661756c",
    "7412046c6973741a0022002a0a6e616d6573706163657332003a001a08080012001a0020001a002200",
);
/// `kubectl auth whoami`
const SELF_SUBJECT_REVIEW: &str = concat!(
    "6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a6563",
    "74526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200",
);

#[test]
fn kubectl_create_bodies_decode_to_their_objects() {
    assert_eq!(
        decode(&bytes(NAMESPACE)).unwrap(),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    );
    assert_eq!(
        decode(&bytes(SECRET)).unwrap(),
        json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s1", "namespace": "team-a"},
            "data": {"k": "dg=="},
            "type": "Opaque",
        })
    );
    assert_eq!(
        decode(&bytes(CONFIGMAP)).unwrap(),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c1", "namespace": "team-a"},
            "data": {"a": "b"},
        })
    );
    assert_eq!(
        decode(&bytes(ROLEBINDING)).unwrap(),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "rb", "namespace": "team-a"},
            "subjects": [
                {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "user-a"},
                {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "g1"},
            ],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        })
    );
}

#[test]
fn kubectl_auth_bodies_decode_to_their_reviews() {
    assert_eq!(
        decode(&bytes(SSAR_SECRETS)).unwrap(),
        json!({
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"namespace": "team-a", "verb": "get", "resource": "secrets"}},
        })
    );
    // kubectl could not look the resource up (the capture server had no discovery), so it
    // sent its default namespace; `--as` travels in headers, not in the body.
    let as_user = decode(&bytes(SSAR_AS_USER)).unwrap();
    assert_eq!(
        as_user["spec"]["resourceAttributes"],
        json!({"namespace": "default", "verb": "list", "resource": "namespaces"}),
        "{as_user}"
    );
    assert_eq!(
        decode(&bytes(SELF_SUBJECT_REVIEW)).unwrap(),
        json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    );
}

#[test]
fn what_is_not_a_built_in_protobuf_object_is_refused() {
    assert!(matches!(
        decode(br#"{"kind":"Namespace"}"#),
        Err(Refusal::Malformed(why)) if why.contains("expected prefix")
    ));
    // The magic and a truncated envelope.
    assert!(matches!(
        decode(&bytes("6b3873000a0f0a0276")),
        Err(Refusal::Malformed(_))
    ));
    // A namespace envelope whose kind is OpenShift's Project.
    let project = bytes(&NAMESPACE.replace("094e616d657370616365", "0750726f6a656374"));
    let project = [&project[..5], &[project[5] - 2], &project[6..]].concat();
    assert_eq!(
        decode(&project),
        Err(Refusal::NotBuiltIn {
            api_version: "v1".into(),
            kind: "Project".into()
        })
    );
}
