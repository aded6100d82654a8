//! Admission of an object about to be stored: pruning against the schema, defaulting,
//! then validation. Failures come back as the Status the real server would send.

mod core;
mod names;
mod oauth;
mod openshift;
mod rbac;
pub(crate) mod schema;

pub use names::is_dns_label;

use serde_json::Value;

use crate::apiserver::field_error::FieldError;
use crate::apiserver::resources::ResourceDef;
use crate::apiserver::status::{ApiError, ApiResult};
use crate::meta;

/// `fieldValidation=Strict` (kubectl's default): an unknown field refuses the whole
/// request, before anything is stored, instead of being dropped with a warning.
pub fn refuse_unknown_fields(def: &ResourceDef, obj: &Value) -> ApiResult<()> {
    let outcome = schema::prune(&mut obj.clone(), &schema::of(def));
    if outcome.unknown.is_empty() {
        return Ok(());
    }
    let fields: Vec<String> = outcome
        .unknown
        .iter()
        .map(|f| format!("unknown field \"{f}\""))
        .collect();
    Err(ApiError::bad_request(format!(
        "{kind} in version \"{v}\" cannot be handled as a {kind}: strict decoding error: {}",
        fields.join(", "),
        kind = def.kind,
        v = def.version,
    )))
}

/// Prunes, defaults and validates `obj`. `old` is the stored object on updates.
/// Returns the warnings to send back (one per dropped unknown field).
pub fn admit(def: &ResourceDef, obj: &mut Value, old: Option<&Value>) -> ApiResult<Vec<String>> {
    let outcome = schema::prune(obj, &schema::of(def));
    if let Some(first) = outcome.type_errors.first() {
        return Err(if def.crd {
            let errors: Vec<FieldError> = outcome
                .type_errors
                .iter()
                .map(|t| {
                    FieldError::invalid_raw(
                        t.path.clone(),
                        format!("\"{}\"", t.found),
                        &format!(
                            "{} in body must be of type {}: \"{}\"",
                            t.path, t.expected, t.found
                        ),
                    )
                })
                .collect();
            ApiError::invalid(def.group, def.kind, meta::name(obj), &errors)
        } else {
            ApiError::bad_request(format!(
                "{kind} in version \"{v}\" cannot be handled as a {kind}: json: cannot unmarshal {found} into Go struct field {owner}.{path} of type {expected}",
                kind = def.kind,
                owner = if first.path.starts_with("metadata.") {
                    "ObjectMeta"
                } else {
                    def.kind
                },
                v = def.version,
                found = first.found,
                path = first.path,
                expected = match (def.kind, first.path.as_str()) {
                    ("Secret", "data") => "map[string][]uint8",
                    _ => first.expected,
                },
            ))
        });
    }
    let warnings = outcome
        .unknown
        .iter()
        .map(|f| format!("unknown field \"{f}\""))
        .collect();

    let mut errors = Vec::new();
    if old.is_none() {
        let rule = match def.kind {
            "Namespace" | "Project" | "ProjectRequest" => names::Rule::Label,
            "RoleBinding" | "ClusterRole" | "User" | "Identity" | "OAuthClient" => {
                names::Rule::PathSegment
            }
            _ => names::Rule::Subdomain,
        };
        errors.extend(names::check(rule, meta::name(obj)));
    }
    errors.extend(check_labels(obj));

    let specific = match def.kind {
        "Namespace" => core::namespace(obj),
        "Secret" => core::secret(def, obj, old)?,
        "ConfigMap" => core::config_map(obj, old),
        "RoleBinding" => rbac::role_binding(obj, old),
        "ClusterRole" => rbac::cluster_role(obj),
        "OAuth" => oauth::oauth(obj),
        "OAuthClient" => openshift::oauth_client(obj),
        "User" => openshift::user(obj),
        "Identity" => openshift::identity(obj),
        _ => Vec::new(),
    };
    errors.extend(specific);
    if errors.is_empty() {
        if !def.crd {
            omit_empty(obj);
        }
        Ok(warnings)
    } else {
        Err(ApiError::invalid(
            def.group,
            def.kind,
            meta::name(obj),
            &errors,
        ))
    }
}

/// Built-in kinds are Go structs whose maps and lists are `omitempty`: stored and served
/// without the empty ones a client sent (`data: {}`, `finalizers: []`).
fn omit_empty(obj: &mut Value) {
    let empty = |v: &Value| match v {
        Value::Object(map) => map.is_empty(),
        Value::Array(list) => list.is_empty(),
        Value::Null => true,
        _ => false,
    };
    let drop_empty = |map: Option<&mut serde_json::Map<String, Value>>, keys: &[&str]| {
        if let Some(map) = map {
            map.retain(|key, value| !(keys.contains(&key.as_str()) && empty(value)));
        }
    };
    drop_empty(obj.as_object_mut(), &["data", "binaryData", "subjects"]);
    drop_empty(
        obj.get_mut("metadata").and_then(Value::as_object_mut),
        &["labels", "annotations", "finalizers", "ownerReferences"],
    );
}

/// Label keys and values follow Kubernetes' qualified-name and label-value rules.
fn check_labels(obj: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(labels) = obj.pointer("/metadata/labels").and_then(Value::as_object) else {
        return errors;
    };
    let ok_part = |s: &str| {
        let b = s.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    };
    for (key, value) in labels {
        let name = key.rsplit('/').next().unwrap_or(key);
        if !ok_part(name) {
            errors.push(FieldError::invalid(
                "metadata.labels",
                &Value::String(key.clone()),
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ));
        }
        let v = value.as_str().unwrap_or("");
        if !v.is_empty() && !ok_part(v) {
            errors.push(FieldError::invalid(
                "metadata.labels",
                value,
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ));
        }
    }
    errors
}
