//! The shape of each kind, used the way the real server uses its schemas: unknown
//! fields are dropped (with a `Warning` header), and a value of the wrong JSON type
//! is refused. A typo such as `redirectUris` therefore silently vanishes, exactly as on
//! a cluster, instead of being kept by a permissive fake.
//!
//! Descriptor language: "s" string, "b" boolean, "i" integer, "*" anything,
//! {"@map": "s"} a map of strings, [x] a list of x, {...} an object with those fields.

use serde_json::{Map, Value, json};

use crate::apiserver::resources::ResourceDef;

fn metadata() -> Value {
    json!({
        "name": "s", "generateName": "s", "namespace": "s", "uid": "s",
        "resourceVersion": "s", "generation": "i", "creationTimestamp": "s",
        "deletionTimestamp": "s", "deletionGracePeriodSeconds": "i", "selfLink": "s",
        "labels": {"@map": "s"}, "annotations": {"@map": "s"}, "finalizers": ["s"],
        "ownerReferences": ["*"], "managedFields": ["*"]
    })
}

fn identity_provider() -> Value {
    json!({
        "name": "s", "mappingMethod": "s", "type": "s",
        "openID": {
            "clientID": "s", "clientSecret": {"name": "s"}, "ca": {"name": "s"},
            "issuer": "s", "extraScopes": ["s"], "extraAuthorizeParameters": {"@map": "s"},
            "claims": {"preferredUsername": ["s"], "name": ["s"], "email": ["s"], "groups": ["s"]}
        },
        "htpasswd": {"fileData": {"name": "s"}},
        "ldap": "*", "github": "*", "gitlab": "*", "google": "*", "keystone": "*",
        "basicAuth": "*", "requestHeader": "*"
    })
}

/// The descriptor of a whole object of kind `def`.
pub fn of(def: &ResourceDef) -> Value {
    let mut top = json!({"apiVersion": "s", "kind": "s", "metadata": metadata()});
    let body = match def.kind {
        "Namespace" => {
            json!({"spec": {"finalizers": ["s"]}, "status": {"phase": "s", "conditions": ["*"]}})
        }
        "Secret" => {
            json!({"data": {"@map": "s"}, "stringData": {"@map": "s"}, "type": "s", "immutable": "b"})
        }
        "ConfigMap" => {
            json!({"data": {"@map": "s"}, "binaryData": {"@map": "s"}, "immutable": "b"})
        }
        "RoleBinding" => json!({
            "subjects": [{"kind": "s", "apiGroup": "s", "name": "s", "namespace": "s"}],
            "roleRef": {"apiGroup": "s", "kind": "s", "name": "s"}
        }),
        "ClusterRole" => json!({
            "rules": [{"verbs": ["s"], "apiGroups": ["s"], "resources": ["s"], "resourceNames": ["s"], "nonResourceURLs": ["s"]}],
            "aggregationRule": "*"
        }),
        "OAuth" => json!({
            "spec": {"identityProviders": [identity_provider()], "tokenConfig": "*", "templates": "*"},
            "status": "*"
        }),
        "Infrastructure" | "ClusterOperator" => json!({"spec": "*", "status": "*"}),
        "OAuthClient" => json!({
            "secret": "s", "additionalSecrets": ["s"], "respondWithChallenges": "b",
            "grantMethod": "s", "scopeRestrictions": ["*"], "redirectURIs": ["s"],
            "accessTokenMaxAgeSeconds": "i", "accessTokenInactivityTimeoutSeconds": "i"
        }),
        "User" => json!({"fullName": "s", "identities": ["s"], "groups": ["s"]}),
        "Identity" => json!({
            "providerName": "s", "providerUserName": "s",
            "user": {"name": "s", "uid": "s"}, "extra": {"@map": "s"}
        }),
        "Project" => json!({"spec": "*", "status": "*"}),
        "ProjectRequest" => json!({"displayName": "s", "description": "s"}),
        _ => json!({}),
    };
    if let (Some(top), Value::Object(body)) = (top.as_object_mut(), body) {
        top.extend(body);
    }
    top
}

/// A value whose JSON type is not the one the schema wants.
#[derive(Debug, Clone)]
pub struct TypeError {
    pub path: String,
    pub expected: &'static str,
    pub found: &'static str,
}

#[derive(Debug, Default)]
pub struct Outcome {
    /// Paths of fields that were dropped because the schema does not know them.
    pub unknown: Vec<String>,
    pub type_errors: Vec<TypeError>,
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Drops unknown fields from `value` in place and collects type errors.
pub fn prune(value: &mut Value, schema: &Value) -> Outcome {
    let mut out = Outcome::default();
    walk(value, schema, "", &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(value: &mut Value, schema: &Value, path: &str, out: &mut Outcome) {
    let mismatch = |expected: &'static str, v: &Value, out: &mut Outcome| {
        out.type_errors.push(TypeError {
            path: path.to_string(),
            expected,
            found: json_type(v),
        })
    };
    match schema {
        Value::String(t) => match (t.as_str(), &*value) {
            ("*", _) | (_, Value::Null) => {}
            ("s", Value::String(_)) | ("b", Value::Bool(_)) => {}
            ("i", Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            ("s", v) => mismatch("string", v, out),
            ("b", v) => mismatch("boolean", v, out),
            ("i", v) => mismatch("integer", v, out),
            _ => {}
        },
        Value::Array(items) => {
            let item_schema = items.first().cloned().unwrap_or(Value::from("*"));
            match value {
                Value::Array(list) => {
                    for (i, item) in list.iter_mut().enumerate() {
                        walk(item, &item_schema, &format!("{path}[{i}]"), out);
                    }
                }
                Value::Null => {}
                v => mismatch("array", v, out),
            }
        }
        Value::Object(fields) => {
            if let Some(item_schema) = fields.get("@map") {
                match value {
                    Value::Object(map) => {
                        for (k, v) in map.iter_mut() {
                            walk(v, item_schema, &format!("{path}[{k}]"), out);
                        }
                    }
                    Value::Null => {}
                    // What the Go decoder names: every map of the served kinds is of
                    // strings (a Secret's data, of bytes, is told apart by the caller).
                    v => mismatch("map[string]string", v, out),
                }
                return;
            }
            match value {
                Value::Object(map) => prune_object(map, fields, path, out),
                Value::Null => {}
                v => mismatch("object", v, out),
            }
        }
        _ => {}
    }
}

fn prune_object(
    map: &mut Map<String, Value>,
    fields: &Map<String, Value>,
    path: &str,
    out: &mut Outcome,
) {
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !fields.contains_key(*k))
        .cloned()
        .collect();
    for key in unknown {
        map.remove(&key);
        out.unknown.push(join(path, &key));
    }
    for (key, v) in map.iter_mut() {
        if let Some(sub) = fields.get(key) {
            walk(v, sub, &join(path, key), out);
        }
    }
}
