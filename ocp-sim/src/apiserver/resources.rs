//! The resources this simulator serves, with the facts discovery reports about them.

use crate::apiserver::status::GroupResource;

#[derive(Debug, PartialEq, Eq)]
pub struct ResourceDef {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub verbs: &'static [&'static str],
    pub short_names: &'static [&'static str],
    /// Served from a CustomResourceDefinition (as `oauths.config.openshift.io` is on a
    /// real cluster): no strategic merge patch, no unconditional update, and list items
    /// carry their own kind/apiVersion.
    pub crd: bool,
}

/// Only the verbs the simulator implements are advertised; watch and deletecollection
/// are not, so a client that needs them finds out from discovery.
const CRUD: &[&str] = &["create", "delete", "get", "list", "patch", "update"];

/// Reviews are only ever created: the answer comes back in the created object's status.
const CREATE_ONLY: &[&str] = &["create"];

pub const NAMESPACES: ResourceDef = ResourceDef {
    group: "",
    version: "v1",
    plural: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    verbs: CRUD,
    short_names: &["ns"],
    crd: false,
};
pub const SECRETS: ResourceDef = ResourceDef {
    group: "",
    version: "v1",
    plural: "secrets",
    singular: "secret",
    kind: "Secret",
    namespaced: true,
    verbs: CRUD,
    short_names: &[],
    crd: false,
};
pub const CONFIGMAPS: ResourceDef = ResourceDef {
    group: "",
    version: "v1",
    plural: "configmaps",
    singular: "configmap",
    kind: "ConfigMap",
    namespaced: true,
    verbs: CRUD,
    short_names: &["cm"],
    crd: false,
};
pub const ROLEBINDINGS: ResourceDef = ResourceDef {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "rolebindings",
    singular: "rolebinding",
    kind: "RoleBinding",
    namespaced: true,
    verbs: CRUD,
    short_names: &[],
    crd: false,
};
pub const CLUSTERROLES: ResourceDef = ResourceDef {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "clusterroles",
    singular: "clusterrole",
    kind: "ClusterRole",
    namespaced: false,
    verbs: CRUD,
    short_names: &[],
    crd: false,
};
pub const OAUTHS: ResourceDef = ResourceDef {
    group: "config.openshift.io",
    version: "v1",
    plural: "oauths",
    singular: "oauth",
    kind: "OAuth",
    namespaced: false,
    verbs: CRUD,
    short_names: &[],
    crd: true,
};
/// `infrastructures/cluster`: where the control plane runs (`status.controlPlaneTopology`;
/// `External` on a hosted control plane, where OAuth is not the cluster's to change).
pub const INFRASTRUCTURES: ResourceDef = ResourceDef {
    group: "config.openshift.io",
    version: "v1",
    plural: "infrastructures",
    singular: "infrastructure",
    kind: "Infrastructure",
    namespaced: false,
    verbs: &["get", "list"],
    short_names: &[],
    crd: true,
};
/// `clusteroperators/authentication`, written by the modelled authentication operator.
pub const CLUSTEROPERATORS: ResourceDef = ResourceDef {
    group: "config.openshift.io",
    version: "v1",
    plural: "clusteroperators",
    singular: "clusteroperator",
    kind: "ClusterOperator",
    namespaced: false,
    verbs: &["get", "list"],
    short_names: &["co"],
    crd: true,
};
pub const OAUTHCLIENTS: ResourceDef = ResourceDef {
    group: "oauth.openshift.io",
    version: "v1",
    plural: "oauthclients",
    singular: "oauthclient",
    kind: "OAuthClient",
    namespaced: false,
    verbs: CRUD,
    short_names: &[],
    crd: false,
};
pub const PROJECTS: ResourceDef = ResourceDef {
    group: "project.openshift.io",
    version: "v1",
    plural: "projects",
    singular: "project",
    kind: "Project",
    namespaced: false,
    verbs: &["create", "delete", "get", "list"],
    short_names: &[],
    crd: false,
};
pub const PROJECTREQUESTS: ResourceDef = ResourceDef {
    group: "project.openshift.io",
    version: "v1",
    plural: "projectrequests",
    singular: "projectrequest",
    kind: "ProjectRequest",
    namespaced: false,
    verbs: &["create"],
    short_names: &[],
    crd: false,
};
pub const USERS: ResourceDef = ResourceDef {
    group: "user.openshift.io",
    version: "v1",
    plural: "users",
    singular: "user",
    kind: "User",
    namespaced: false,
    verbs: CRUD,
    short_names: &[],
    crd: false,
};
pub const IDENTITIES: ResourceDef = ResourceDef {
    group: "user.openshift.io",
    version: "v1",
    plural: "identities",
    singular: "identity",
    kind: "Identity",
    namespaced: false,
    verbs: CRUD,
    short_names: &[],
    crd: false,
};

pub const SELFSUBJECTACCESSREVIEWS: ResourceDef = ResourceDef {
    group: "authorization.k8s.io",
    version: "v1",
    plural: "selfsubjectaccessreviews",
    singular: "selfsubjectaccessreview",
    kind: "SelfSubjectAccessReview",
    namespaced: false,
    verbs: CREATE_ONLY,
    short_names: &[],
    crd: false,
};
pub const SUBJECTACCESSREVIEWS: ResourceDef = ResourceDef {
    group: "authorization.k8s.io",
    version: "v1",
    plural: "subjectaccessreviews",
    singular: "subjectaccessreview",
    kind: "SubjectAccessReview",
    namespaced: false,
    verbs: CREATE_ONLY,
    short_names: &[],
    crd: false,
};
pub const SELFSUBJECTREVIEWS: ResourceDef = ResourceDef {
    group: "authentication.k8s.io",
    version: "v1",
    plural: "selfsubjectreviews",
    singular: "selfsubjectreview",
    kind: "SelfSubjectReview",
    namespaced: false,
    verbs: CREATE_ONLY,
    short_names: &[],
    crd: false,
};

pub static ALL: &[&ResourceDef] = &[
    &NAMESPACES,
    &SECRETS,
    &CONFIGMAPS,
    &ROLEBINDINGS,
    &CLUSTERROLES,
    &OAUTHS,
    &INFRASTRUCTURES,
    &CLUSTEROPERATORS,
    &OAUTHCLIENTS,
    &PROJECTS,
    &PROJECTREQUESTS,
    &USERS,
    &IDENTITIES,
    &SELFSUBJECTACCESSREVIEWS,
    &SUBJECTACCESSREVIEWS,
    &SELFSUBJECTREVIEWS,
];

/// API groups in the order `/apis` lists them (the core group is served under `/api`).
pub const GROUPS: &[&str] = &[
    "authentication.k8s.io",
    "authorization.k8s.io",
    "rbac.authorization.k8s.io",
    "config.openshift.io",
    "oauth.openshift.io",
    "project.openshift.io",
    "user.openshift.io",
];

impl ResourceDef {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn gr(&self) -> GroupResource {
        GroupResource::new(self.group, self.plural)
    }

    /// Key prefix under which the store keeps objects of this resource.
    pub fn store_key(&self) -> String {
        self.gr().to_string()
    }
}

pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceDef> {
    ALL.iter()
        .copied()
        .find(|d| d.group == group && d.version == version && d.plural == plural)
}

pub fn in_group(group: &str, version: &str) -> Vec<&'static ResourceDef> {
    ALL.iter()
        .copied()
        .filter(|d| d.group == group && d.version == version)
        .collect()
}

pub fn by_store_key(key: &str) -> Option<&'static ResourceDef> {
    ALL.iter().copied().find(|d| d.store_key() == key)
}
