//! API discovery: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{group}[/{version}]`,
//! in the legacy shape and (when the client asks for it through `Accept`) the
//! aggregated `apidiscovery.k8s.io/v2` shape.

use serde_json::{Value, json};

use crate::apiserver::resources::{self, ResourceDef};

pub const AGGREGATED_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether the `Accept` header asks for aggregated discovery (v2 or v2beta1).
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').next().is_some_and(|first| {
        first.contains("as=APIGroupDiscoveryList") && first.contains("g=apidiscovery.k8s.io")
    })
}

/// The Kubernetes release the simulator's behaviour is checked against (the kit's API
/// server), so that kubectl of that release sees no version skew.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "36",
        "gitVersion": "v1.36.3+ocp-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.26.8",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_entry(group: &str) -> Value {
    let gv = json!({"groupVersion": format!("{group}/v1"), "version": "v1"});
    json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
}

pub fn group_list() -> Value {
    json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": resources::GROUPS.iter().map(|g| group_entry(g)).collect::<Vec<_>>(),
    })
}

pub fn group(name: &str) -> Option<Value> {
    resources::GROUPS.contains(&name).then(|| {
        let mut entry = group_entry(name);
        entry["kind"] = json!("APIGroup");
        entry["apiVersion"] = json!("v1");
        entry
    })
}

fn resource_entry(def: &ResourceDef) -> Value {
    let mut entry = json!({
        "name": def.plural,
        "singularName": def.singular,
        "namespaced": def.namespaced,
        "kind": def.kind,
        "verbs": def.verbs,
    });
    if !def.short_names.is_empty() {
        entry["shortNames"] = json!(def.short_names);
    }
    entry
}

/// The APIResourceList of one group version, if it is served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let defs = resources::in_group(group, version);
    if defs.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": defs.into_iter().map(resource_entry).collect::<Vec<_>>(),
    }))
}

fn aggregated_group(group: &str) -> Value {
    let resources: Vec<Value> = resources::in_group(group, "v1")
        .into_iter()
        .map(|def| {
            let mut entry = json!({
                "resource": def.plural,
                "responseKind": {"group": def.group, "version": def.version, "kind": def.kind},
                "scope": if def.namespaced { "Namespaced" } else { "Cluster" },
                "singularResource": def.singular,
                "verbs": def.verbs,
            });
            if !def.short_names.is_empty() {
                entry["shortNames"] = json!(def.short_names);
            }
            entry
        })
        .collect();
    let metadata = if group.is_empty() {
        json!({"creationTimestamp": null})
    } else {
        json!({"name": group, "creationTimestamp": null})
    };
    json!({
        "metadata": metadata,
        "versions": [{"version": "v1", "resources": resources, "freshness": "Current"}],
    })
}

/// Aggregated discovery for `/api` (core only) or `/apis` (every named group).
pub fn aggregated(core: bool) -> Value {
    let items: Vec<Value> = if core {
        vec![aggregated_group("")]
    } else {
        resources::GROUPS
            .iter()
            .map(|g| aggregated_group(g))
            .collect()
    };
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}
