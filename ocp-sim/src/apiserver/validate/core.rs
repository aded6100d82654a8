//! Core kinds: Namespace, Secret, ConfigMap.

use base64::Engine;
use serde_json::{Value, json};

use super::names::{CONFIG_KEY_MSG, is_config_key};
use crate::apiserver::field_error::FieldError;
use crate::apiserver::resources::ResourceDef;
use crate::apiserver::status::{ApiError, ApiResult};

pub fn namespace(obj: &mut Value) -> Vec<FieldError> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // The API server always stamps this label and the spec/status below.
    let meta = crate::meta::metadata_mut(obj);
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert("kubernetes.io/metadata.name".into(), Value::String(name));
    }
    if obj.pointer("/spec/finalizers").is_none() {
        obj["spec"] = json!({"finalizers": ["kubernetes"]});
    }
    obj["status"] = json!({"phase": "Active"});
    Vec::new()
}

fn check_keys(obj: &Value, field: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(map) = obj.get(field).and_then(Value::as_object) {
        for key in map.keys() {
            if !is_config_key(key) {
                errors.push(FieldError::invalid(
                    format!("{field}[{key}]"),
                    &Value::String(key.clone()),
                    CONFIG_KEY_MSG,
                ));
            }
        }
    }
    errors
}

fn immutable(obj: &Value, old: Option<&Value>, errors: &mut Vec<FieldError>) {
    let Some(old) = old else { return };
    if old.get("immutable") == Some(&Value::Bool(true)) {
        for field in ["data", "binaryData", "stringData"] {
            if obj.get(field) != old.get(field) && field != "stringData" {
                errors.push(FieldError::forbidden(
                    field,
                    "field is immutable when `immutable` is set",
                ));
            }
        }
        if obj.get("immutable") != Some(&Value::Bool(true)) {
            errors.push(FieldError::forbidden(
                "immutable",
                "field is immutable when `immutable` is set",
            ));
        }
    }
}

pub fn secret(
    def: &ResourceDef,
    obj: &mut Value,
    old: Option<&Value>,
) -> ApiResult<Vec<FieldError>> {
    let engine = base64::engine::general_purpose::STANDARD;
    // `data` travels base64-encoded; bad base64 fails decoding (400), as on a cluster.
    if let Some(data) = obj.get("data").and_then(Value::as_object) {
        for value in data.values() {
            let text = value.as_str().unwrap_or("");
            if let Err(e) = engine.decode(text) {
                return Err(ApiError::bad_request(format!(
                    "{kind} in version \"{v}\" cannot be handled as a {kind}: illegal base64 data: {e}",
                    kind = def.kind,
                    v = def.version,
                )));
            }
        }
    }
    // `stringData` is write-only: merged into `data` and never stored.
    if let Some(Value::Object(string_data)) =
        obj.as_object_mut().and_then(|o| o.remove("stringData"))
    {
        if !obj.get("data").is_some_and(Value::is_object) {
            obj["data"] = json!({});
        }
        for (k, v) in string_data {
            let encoded = engine.encode(v.as_str().unwrap_or("").as_bytes());
            obj["data"][k] = Value::String(encoded);
        }
    }
    if obj
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        obj["type"] = json!("Opaque");
    }
    let mut errors = check_keys(obj, "data");
    if let Some(old) = old
        && old.get("type") != obj.get("type")
    {
        errors.push(FieldError::invalid(
            "type",
            obj.get("type").unwrap_or(&Value::Null),
            "field is immutable",
        ));
    }
    immutable(obj, old, &mut errors);
    Ok(errors)
}

pub fn config_map(obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errors = check_keys(obj, "data");
    errors.extend(check_keys(obj, "binaryData"));
    immutable(obj, old, &mut errors);
    errors
}
