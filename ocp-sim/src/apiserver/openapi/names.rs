//! How upstream names things in its OpenAPI documents: schema names per kind, operation
//! IDs and tags per group version, and the document paths per group version.

use crate::apiserver::resources::ResourceDef;

/// `api/v1` or `apis/{group}/{version}`: the key of a group version in `/openapi/v3`.
pub fn document_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The prefix of the schema names of a group version's kinds. Kubernetes' own groups
/// are `io.k8s.api.<short name>`; OpenShift's aggregated API servers publish Go package
/// paths (`com.github.openshift.api.<short name>`); a CustomResourceDefinition's kinds
/// get the group name reversed (`io.openshift.config`).
pub fn schema_prefix(def: &ResourceDef) -> String {
    let short = def.group.split('.').next().unwrap_or_default();
    let package = if def.crd {
        def.group.rsplit('.').collect::<Vec<_>>().join(".")
    } else if def.group.is_empty() {
        "io.k8s.api.core".to_string()
    } else if def.group.ends_with(".k8s.io") {
        format!("io.k8s.api.{short}")
    } else {
        format!("com.github.openshift.api.{short}")
    };
    format!("{package}.{}", def.version)
}

pub fn kind_schema(def: &ResourceDef) -> String {
    format!("{}.{}", schema_prefix(def), def.kind)
}

pub fn list_schema(def: &ResourceDef) -> String {
    format!("{}List", kind_schema(def))
}

/// `CoreV1`, `RbacAuthorizationV1`, `ConfigOpenshiftIoV1`: the group version as it
/// appears inside operation IDs.
pub fn operation_infix(def: &ResourceDef) -> String {
    let group = def.group.strip_suffix(".k8s.io").unwrap_or(def.group);
    let group = if group.is_empty() { "core" } else { group };
    let mut out: String = group.split('.').map(title).collect();
    out.push_str(&title(def.version));
    out
}

/// `core_v1`, `rbacAuthorization_v1`: the tag operations of a group version share.
pub fn tag(def: &ResourceDef) -> String {
    let infix = operation_infix(def);
    let group_part = infix
        .strip_suffix(&title(def.version))
        .unwrap_or(&infix)
        .to_string();
    let mut chars = group_part.chars();
    let lowered: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    format!("{lowered}_{}", def.version)
}

fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::resources;

    #[test]
    fn names_follow_upstream() {
        assert_eq!(
            kind_schema(&resources::NAMESPACES),
            "io.k8s.api.core.v1.Namespace"
        );
        assert_eq!(
            kind_schema(&resources::ROLEBINDINGS),
            "io.k8s.api.rbac.v1.RoleBinding"
        );
        assert_eq!(
            kind_schema(&resources::OAUTHS),
            "io.openshift.config.v1.OAuth"
        );
        assert_eq!(
            list_schema(&resources::USERS),
            "com.github.openshift.api.user.v1.UserList"
        );
        assert_eq!(
            operation_infix(&resources::ROLEBINDINGS),
            "RbacAuthorizationV1"
        );
        assert_eq!(operation_infix(&resources::OAUTHS), "ConfigOpenshiftIoV1");
        assert_eq!(tag(&resources::SECRETS), "core_v1");
        assert_eq!(tag(&resources::ROLEBINDINGS), "rbacAuthorization_v1");
    }
}
