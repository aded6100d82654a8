//! The state of a freshly installed cluster, as far as this simulator models it.

use base64::Engine;
use serde_json::{Value, json};

use crate::apiserver::resources::{self, ResourceDef};
use crate::apiserver::status::ApiResult;
use crate::apiserver::store::Store;
use crate::apiserver::write::objects::{self, Ownership};
use crate::meta;

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn cluster_roles() -> Vec<(&'static str, Vec<Value>)> {
    let view = vec![
        rule(
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "pods",
                "replicationcontrollers",
                "serviceaccounts",
                "services",
            ],
            READ,
        ),
        rule(&[""], &["namespaces"], READ),
        rule(&["project.openshift.io"], &["projects"], &["get"]),
    ];
    let mut edit = view.clone();
    edit.push(rule(
        &[""],
        &[
            "configmaps",
            "secrets",
            "pods",
            "services",
            "serviceaccounts",
            "persistentvolumeclaims",
        ],
        WRITE,
    ));
    let mut admin = edit.clone();
    admin.push(rule(
        &["rbac.authorization.k8s.io"],
        &["rolebindings", "roles"],
        WRITE,
    ));
    admin.push(rule(
        &["project.openshift.io"],
        &["projects"],
        &["delete", "get", "patch", "update"],
    ));
    let cluster_admin = vec![
        rule(&["*"], &["*"], &["*"]),
        json!({"nonResourceURLs": ["*"], "verbs": ["*"]}),
    ];
    vec![
        ("view", view),
        ("edit", edit),
        ("admin", admin),
        ("cluster-admin", cluster_admin),
    ]
}

fn create(
    store: &mut Store,
    def: &ResourceDef,
    ns: &str,
    obj: Value,
    manager: &str,
) -> ApiResult<()> {
    objects::create(store, def, ns, obj, Ownership::Update(manager.into()))?;
    Ok(())
}

pub fn install(store: &mut Store) -> ApiResult<()> {
    for ns in ["default", "kube-system", "kube-public", "openshift-config"] {
        create(
            store,
            &resources::NAMESPACES,
            "",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            "cluster-version-operator",
        )?;
    }
    for (name, rules) in cluster_roles() {
        create(
            store,
            &resources::CLUSTERROLES,
            "",
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
                "rules": rules,
            }),
            "kube-apiserver",
        )?;
    }
    // An htpasswd file with one entry whose password nobody knows: the simulator does
    // not log anyone in through HTPasswd, it only needs the provider to exist.
    let htpasswd = format!("developer:$2y$05${}\n", crate::meta::random_urlsafe(40));
    create(
        store,
        &resources::SECRETS,
        "openshift-config",
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "htpass-secret", "namespace": "openshift-config"},
            "type": "Opaque",
            "data": {"htpasswd": base64::engine::general_purpose::STANDARD.encode(htpasswd)},
        }),
        "kubectl-create",
    )?;
    // Whoever set the cluster up edited the OAuth by hand, so `kubectl-edit` owns the
    // identity provider list: an apply by another manager conflicts unless forced.
    create(
        store,
        &resources::OAUTHS,
        "",
        json!({
            "apiVersion": "config.openshift.io/v1",
            "kind": "OAuth",
            "metadata": {
                "name": "cluster",
                "annotations": {"include.release.openshift.io/self-managed-high-availability": "true"},
            },
            "spec": {"identityProviders": [{
                "name": "htpasswd",
                "mappingMethod": "claim",
                "type": "HTPasswd",
                "htpasswd": {"fileData": {"name": "htpass-secret"}},
            }]},
        }),
        "kubectl-edit",
    )?;
    Ok(())
}

/// `infrastructures/cluster` with the control plane's topology (`HighlyAvailable`,
/// `SingleReplica`, or `External` for a hosted control plane), written at every start.
pub fn infrastructure(store: &mut Store, topology: &str) {
    let existing = store
        .get(&resources::INFRASTRUCTURES, "", "cluster")
        .cloned();
    let metadata = match existing {
        Some(found) => found["metadata"].clone(),
        None => {
            json!({"name": "cluster", "uid": meta::new_uid(), "creationTimestamp": meta::now(), "generation": 1})
        }
    };
    store.put(
        &resources::INFRASTRUCTURES,
        json!({
            "apiVersion": "config.openshift.io/v1",
            "kind": "Infrastructure",
            "metadata": metadata,
            "spec": {"platformSpec": {"type": "None"}},
            "status": {
                "controlPlaneTopology": topology,
                "infrastructureTopology": if topology == "External" { "HighlyAvailable" } else { topology },
                "platform": "None",
            },
        }),
    );
}
