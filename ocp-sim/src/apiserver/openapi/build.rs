//! A small vocabulary for writing OpenAPI schemas as data: typed leaves, objects,
//! lists, maps and references, plus the extensions strategic merge patch and
//! server-side apply read.

use serde_json::{Map, Value, json};

/// Where named schemas live in an OpenAPI 3 document (a Swagger 2.0 document moves
/// them to `#/definitions/`).
pub const SCHEMA_REF: &str = "#/components/schemas/";

pub fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

pub fn boolean(description: &str) -> Value {
    json!({"type": "boolean", "description": description})
}

pub fn integer(description: &str) -> Value {
    json!({"type": "integer", "format": "int64", "description": description})
}

/// A point in time, written as RFC 3339 text.
pub fn time(description: &str) -> Value {
    json!({"type": "string", "format": "date-time", "description": description})
}

pub fn map_of(item: Value, description: &str) -> Value {
    json!({"type": "object", "additionalProperties": item, "description": description})
}

pub fn map_of_strings(description: &str) -> Value {
    map_of(json!({"type": "string", "default": ""}), description)
}

/// A list replaced as a whole by every kind of patch.
pub fn atomic_list(item: Value, description: &str) -> Value {
    json!({"type": "array", "items": item, "description": description})
        .with("x-kubernetes-list-type", json!("atomic"))
}

/// A list of scalars merged as a set by strategic merge patch and apply.
pub fn set_of_strings(description: &str) -> Value {
    json!({"type": "array", "items": {"type": "string", "default": ""}, "description": description})
        .with("x-kubernetes-list-type", json!("set"))
        .with("x-kubernetes-patch-strategy", json!("merge"))
}

/// A list of objects merged item by item, matched on `key`.
pub fn keyed_list(item: Value, key: &str, description: &str) -> Value {
    json!({"type": "array", "items": item, "description": description})
        .with("x-kubernetes-list-type", json!("map"))
        .with("x-kubernetes-list-map-keys", json!([key]))
        .with("x-kubernetes-patch-merge-key", json!(key))
        .with("x-kubernetes-patch-strategy", json!("merge"))
}

/// An object with the given fields, in the order written.
pub fn object<S: AsRef<str>>(description: &str, fields: &[(S, Value)]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|(name, schema)| (name.as_ref().to_string(), schema.clone()))
        .collect();
    json!({"type": "object", "description": description, "properties": properties})
}

/// An object whose content the simulator keeps as it is given.
pub fn free_object(description: &str) -> Value {
    json!({"type": "object", "description": description})
        .with("x-kubernetes-preserve-unknown-fields", json!(true))
}

/// A field holding a named schema (written as upstream writes it in OpenAPI 3, so the
/// field keeps its own description).
pub fn reference(name: &str, description: &str) -> Value {
    json!({
        "allOf": [{"$ref": format!("{SCHEMA_REF}{name}")}],
        "default": {},
        "description": description,
    })
}

pub fn list_of_refs(name: &str, description: &str) -> Value {
    json!({
        "type": "array",
        "items": {"allOf": [{"$ref": format!("{SCHEMA_REF}{name}")}], "default": {}},
        "description": description,
    })
}

pub trait SchemaExt {
    /// Adds one key (an extension, `required`, ...) to a schema.
    fn with(self, key: &str, value: Value) -> Value;
    fn required(self, fields: &[&str]) -> Value;
}

impl SchemaExt for Value {
    fn with(mut self, key: &str, value: Value) -> Value {
        if let Some(map) = self.as_object_mut() {
            map.insert(key.to_string(), value);
        }
        self
    }

    fn required(self, fields: &[&str]) -> Value {
        self.with("required", json!(fields))
    }
}
