//! Parsing of resource URLs: `/api/v1/...` and `/apis/{group}/{version}/...`.

use crate::apiserver::resources::{self, ResourceDef};

#[derive(Debug, Clone)]
pub struct Target {
    pub def: &'static ResourceDef,
    /// Empty for cluster-scoped resources and for lists across all namespaces.
    pub namespace: String,
    pub name: Option<String>,
}

/// What a request path addresses.
#[derive(Debug, Clone)]
pub enum Route {
    /// `/api`, `/apis`, `/api/v1`, `/apis/{group}`, `/apis/{group}/{version}`.
    Discovery(Discovery),
    Resource(Target),
    Unknown,
}

#[derive(Debug, Clone)]
pub enum Discovery {
    CoreVersions,
    Groups,
    Group(String),
    Resources(String, String),
}

pub fn parse(path: &str) -> Route {
    let trimmed = path.trim_end_matches('/');
    let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Route::Unknown;
    }
    let (group, version, rest) = match segments.as_slice() {
        ["api"] => return Route::Discovery(Discovery::CoreVersions),
        ["apis"] => return Route::Discovery(Discovery::Groups),
        ["apis", group] => return Route::Discovery(Discovery::Group(group.to_string())),
        ["api", version] => {
            return Route::Discovery(Discovery::Resources(String::new(), version.to_string()));
        }
        ["apis", group, version] => {
            return Route::Discovery(Discovery::Resources(group.to_string(), version.to_string()));
        }
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Route::Unknown,
    };
    let (namespace, plural, name) = match rest {
        ["namespaces", ns, plural] => (ns.to_string(), *plural, None),
        ["namespaces", ns, plural, name] => (ns.to_string(), *plural, Some(name.to_string())),
        [plural] => (String::new(), *plural, None),
        [plural, name] => (String::new(), *plural, Some(name.to_string())),
        // Subresources (status, scale, ...) are not served.
        _ => return Route::Unknown,
    };
    let Some(def) = resources::find(group, version, plural) else {
        return Route::Unknown;
    };
    if !namespace.is_empty() && !def.namespaced {
        return Route::Unknown;
    }
    if namespace.is_empty() && def.namespaced && name.is_some() {
        return Route::Unknown;
    }
    Route::Resource(Target {
        def,
        namespace,
        name,
    })
}
