//! The kinds bridgectl manages, with their REST names (no discovery round trip needed).

use anyhow::{Result, bail};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};

struct Kind {
    api_version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
}

const KINDS: &[Kind] = &[
    // Users and identities the OAuth server made for people who signed in through
    // bridgectl's identity provider (only ever removed by `clean`).
    Kind {
        api_version: "user.openshift.io/v1",
        kind: "User",
        plural: "users",
        namespaced: false,
    },
    Kind {
        api_version: "user.openshift.io/v1",
        kind: "Identity",
        plural: "identities",
        namespaced: false,
    },
    Kind {
        api_version: "v1",
        kind: "Secret",
        plural: "secrets",
        namespaced: true,
    },
    Kind {
        api_version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        namespaced: true,
    },
    Kind {
        api_version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        namespaced: false,
    },
    Kind {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        namespaced: true,
    },
    Kind {
        api_version: "config.openshift.io/v1",
        kind: "OAuth",
        plural: "oauths",
        namespaced: false,
    },
    Kind {
        api_version: "config.openshift.io/v1",
        kind: "ClusterOperator",
        plural: "clusteroperators",
        namespaced: false,
    },
    Kind {
        api_version: "config.openshift.io/v1",
        kind: "Infrastructure",
        plural: "infrastructures",
        namespaced: false,
    },
    Kind {
        api_version: "oauth.openshift.io/v1",
        kind: "OAuthClient",
        plural: "oauthclients",
        namespaced: false,
    },
    Kind {
        api_version: "project.openshift.io/v1",
        kind: "Project",
        plural: "projects",
        namespaced: false,
    },
    Kind {
        api_version: "project.openshift.io/v1",
        kind: "ProjectRequest",
        plural: "projectrequests",
        namespaced: false,
    },
];

/// An API handle for objects of `api_version`/`kind`, in `namespace` when namespaced.
pub fn api(
    client: &kube::Client,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
) -> Result<Api<DynamicObject>> {
    let Some(found) = KINDS
        .iter()
        .find(|k| k.api_version == api_version && k.kind == kind)
    else {
        bail!("bridgectl does not manage objects of kind {kind} ({api_version})");
    };
    let (group, version) = match found.api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", found.api_version),
    };
    let gvk = GroupVersionKind::gvk(group, version, found.kind);
    let resource = ApiResource::from_gvk_with_plural(&gvk, found.plural);
    Ok(match (found.namespaced, namespace) {
        (true, Some(ns)) => Api::namespaced_with(client.clone(), ns, &resource),
        (true, None) => Api::all_with(client.clone(), &resource),
        (false, _) => Api::all_with(client.clone(), &resource),
    })
}

/// The API handle for a rendered object, from its own apiVersion, kind and namespace.
pub fn api_for(client: &kube::Client, object: &DynamicObject) -> Result<Api<DynamicObject>> {
    let types = object.types.clone().unwrap_or_default();
    api(
        client,
        &types.api_version,
        &types.kind,
        object.metadata.namespace.as_deref(),
    )
}

/// List items come without their kind; objects handed on need it.
pub fn typed(mut object: DynamicObject, api_version: &str, kind: &str) -> DynamicObject {
    object.types = Some(kube::api::TypeMeta {
        api_version: api_version.into(),
        kind: kind.into(),
    });
    object
}
