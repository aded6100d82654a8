//! Authorization: cluster-admin for the admin token; for everybody else the built-in
//! rights of every authenticated user (basic-user, self-provisioner, discovery), the
//! namespaced rights RoleBindings grant through the stored ClusterRoles, and the
//! limits of the token's OAuth scopes.

use serde_json::Value;

use crate::apiserver::auth::Principal;
use crate::apiserver::resources;
use crate::apiserver::status::{ApiError, ApiResult, GroupResource};
use crate::apiserver::store::Store;

/// One request, as the authorizer sees it.
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    pub verb: &'a str,
    pub group: &'a str,
    pub resource: &'a str,
    pub name: &'a str,
    /// Empty at the cluster scope.
    pub namespace: &'a str,
}

fn contains(list: Option<&Value>, wanted: &str) -> bool {
    list.and_then(Value::as_array).is_some_and(|l| {
        l.iter()
            .any(|v| v.as_str() == Some(wanted) || v.as_str() == Some("*"))
    })
}

fn rule_allows(rule: &Value, attrs: &Attributes<'_>) -> bool {
    let names = rule.get("resourceNames").and_then(Value::as_array);
    let names_ok = match names {
        None => true,
        Some(list) if list.is_empty() => true,
        Some(list) => !attrs.name.is_empty() && list.iter().any(|n| n.as_str() == Some(attrs.name)),
    };
    contains(rule.get("apiGroups"), attrs.group)
        && contains(rule.get("resources"), attrs.resource)
        && contains(rule.get("verbs"), attrs.verb)
        && names_ok
}

fn subject_matches(subject: &Value, principal: &Principal) -> bool {
    let kind = subject.get("kind").and_then(Value::as_str);
    let name = subject.get("name").and_then(Value::as_str).unwrap_or("");
    let group = subject
        .get("apiGroup")
        .and_then(Value::as_str)
        .unwrap_or("");
    match kind {
        Some("User") => group == "rbac.authorization.k8s.io" && name == principal.name(),
        Some("Group") => {
            group == "rbac.authorization.k8s.io" && principal.groups().iter().any(|g| g == name)
        }
        _ => false,
    }
}

/// Whether RoleBindings in `attrs.namespace` grant the request.
fn namespaced_allows(store: &Store, principal: &Principal, attrs: &Attributes<'_>) -> bool {
    if attrs.namespace.is_empty() {
        return false;
    }
    store
        .list(&resources::ROLEBINDINGS, Some(attrs.namespace))
        .into_iter()
        .filter(|rb| {
            rb.get("subjects")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|s| subject_matches(s, principal)))
        })
        .filter_map(|rb| {
            let kind = rb.pointer("/roleRef/kind").and_then(Value::as_str)?;
            let name = rb.pointer("/roleRef/name").and_then(Value::as_str)?;
            // Only ClusterRoles are served here; a Role reference grants nothing.
            (kind == "ClusterRole")
                .then(|| store.get(&resources::CLUSTERROLES, "", name))
                .flatten()
        })
        .any(|role| {
            role.get("rules")
                .and_then(Value::as_array)
                .is_some_and(|rules| rules.iter().any(|r| rule_allows(r, attrs)))
        })
}

/// Rights every authenticated user has on a fresh cluster.
fn built_in_allows(principal: &Principal, attrs: &Attributes<'_>) -> bool {
    let groups = principal.groups();
    match (attrs.group, attrs.resource, attrs.verb) {
        ("user.openshift.io", "users", "get") => attrs.name == "~",
        ("project.openshift.io", "projects", "list") => true,
        ("project.openshift.io", "projectrequests", "create") => {
            groups.iter().any(|g| g == "system:authenticated:oauth")
        }
        // Asking about oneself (system:basic-user).
        ("authorization.k8s.io", "selfsubjectaccessreviews", "create")
        | ("authentication.k8s.io", "selfsubjectreviews", "create") => true,
        _ => false,
    }
}

/// What the OAuth scopes of the token allow, if they are narrower than `user:full`.
fn scopes_allow(scopes: &[String], attrs: &Attributes<'_>) -> bool {
    scopes.iter().any(|scope| match scope.as_str() {
        "user:full" => true,
        "user:info" => {
            attrs.group == "user.openshift.io" && attrs.resource == "users" && attrs.name == "~"
        }
        "user:list-projects" | "user:list-scoped-projects" => {
            attrs.group == "project.openshift.io"
                && attrs.resource == "projects"
                && matches!(attrs.verb, "get" | "list")
        }
        _ => false,
    })
}

pub fn allowed(store: &Store, principal: &Principal, attrs: &Attributes<'_>) -> bool {
    match principal {
        Principal::Admin => true,
        Principal::Anonymous => false,
        Principal::User { scopes, .. } => {
            scopes_allow(scopes, attrs)
                && (built_in_allows(principal, attrs) || namespaced_allows(store, principal, attrs))
        }
    }
}

fn denial(principal: &Principal, attrs: &Attributes<'_>) -> String {
    let scope = if attrs.namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{}\"", attrs.namespace)
    };
    let mut text = format!(
        "User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
        principal.name(),
        attrs.verb,
        attrs.resource,
        attrs.group
    );
    if let Principal::User { scopes, .. } = principal
        && !scopes_allow(scopes, attrs)
    {
        text.push_str(&format!(
            ": scopes [{}] prevent this action",
            scopes.join(" ")
        ));
    }
    text
}

/// Allows the request or returns the real server's 403.
pub fn authorize(store: &Store, principal: &Principal, attrs: &Attributes<'_>) -> ApiResult<()> {
    if allowed(store, principal, attrs) {
        return Ok(());
    }
    let gr = GroupResource::new(attrs.group, attrs.resource);
    Err(ApiError::forbidden(
        &gr,
        attrs.name,
        &denial(principal, attrs),
    ))
}

/// Non-resource paths every authenticated user may read (system:discovery and
/// system:public-info-viewer); a trailing `*` matches any rest.
const DISCOVERY_PATHS: &[&str] = &[
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/readyz",
    "/version",
    "/version/",
    "/openapi",
    "/openapi/*",
];

/// Whether the principal may use `verb` on a non-resource path.
pub fn path_allowed(principal: &Principal, verb: &str, path: &str) -> bool {
    match principal {
        Principal::Admin => true,
        Principal::Anonymous => false,
        Principal::User { .. } => {
            verb == "get"
                && DISCOVERY_PATHS
                    .iter()
                    .any(|allowed| match allowed.strip_suffix('*') {
                        Some(prefix) => path.starts_with(prefix),
                        None => path == *allowed,
                    })
        }
    }
}

/// Discovery and other non-resource paths: the real server's 403 for what RBAC does
/// not grant (an unknown path is refused before it is found missing).
pub fn authorize_path(principal: &Principal, method: &str, path: &str) -> ApiResult<()> {
    let verb = method.to_ascii_lowercase();
    if path_allowed(principal, &verb, path) {
        return Ok(());
    }
    Err(ApiError::forbidden_path(&format!(
        "User \"{}\" cannot {verb} path \"{path}\"",
        principal.name()
    )))
}

/// Namespaces whose project the principal may see.
pub fn visible_namespaces(store: &Store, principal: &Principal) -> Vec<String> {
    store
        .list(&resources::NAMESPACES, None)
        .into_iter()
        .map(|ns| crate::meta::name(ns).to_string())
        .filter(|ns| {
            allowed(
                store,
                principal,
                &Attributes {
                    verb: "get",
                    group: "project.openshift.io",
                    resource: "projects",
                    name: ns,
                    namespace: ns,
                },
            )
        })
        .collect()
}
