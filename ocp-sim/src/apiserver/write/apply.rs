//! Server-side apply. The applied configuration is merged into the live object
//! (maps field by field, lists replaced whole because every list here is atomic),
//! conflicts with other field managers are refused unless `force=true`, and fields this
//! manager applied before but left out now are removed.

use serde_json::{Value, json};

use crate::apiserver::resources::ResourceDef;
use crate::apiserver::status::{ApiError, ApiResult};
use crate::apiserver::store::Store;
use crate::apiserver::write::managed::{self, Entry, FieldSet};
use crate::apiserver::write::objects::{self, Ownership, Written};
use crate::meta;

fn merge(target: &mut Value, applied: &Value) {
    match (target, applied) {
        (Value::Object(t), Value::Object(a)) => {
            for (k, v) in a {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, a) => *t = a.clone(),
    }
}

pub fn apply(
    store: &mut Store,
    def: &ResourceDef,
    namespace: &str,
    name: &str,
    body: &[u8],
    manager: &str,
    force: bool,
) -> ApiResult<Written> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("error decoding YAML: the body is not UTF-8"))?;
    let mut applied: Value = serde_yaml::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    if !applied.is_object() {
        return Err(ApiError::bad_request(
            "error decoding YAML: the body is not an object",
        ));
    }
    for key in ["apiVersion", "kind"] {
        if applied
            .get(key)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request(format!(
                "invalid object type: {key} must be set in an apply patch"
            )));
        }
    }
    objects::check_type(def, &mut applied)?;
    let body_name = meta::name(&applied).to_string();
    if body_name.is_empty() {
        meta::metadata_mut(&mut applied).insert("name".into(), json!(name));
    } else if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    if applied.pointer("/metadata/managedFields").is_some() {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    let api_version = def.api_version();
    let applied_fields = managed::leaves(&applied);
    let own_entry = |fields: FieldSet| Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        api_version: api_version.clone(),
        time: meta::now(),
        fields,
    };

    let Some(live) = store.get(def, namespace, name).cloned() else {
        let mut obj = applied;
        if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        return objects::create(
            store,
            def,
            namespace,
            obj,
            Ownership::Set(vec![own_entry(applied_fields)]),
        );
    };

    if let Some(rv) = meta::resource_version(&applied)
        && Some(rv) != meta::resource_version(&live)
    {
        return Err(ApiError::modified(&def.gr(), name));
    }

    let mut entries = managed::read(&live);
    let previous: FieldSet = entries
        .iter()
        .find(|e| e.manager == manager && e.operation == "Apply")
        .map(|e| e.fields.clone())
        .unwrap_or_default();

    // A field owned by someone else conflicts when the applied value differs.
    let mut conflicts: Vec<(String, String)> = Vec::new();
    for entry in entries.iter().filter(|e| e.manager != manager) {
        for owned in &entry.fields {
            for path in applied_fields
                .iter()
                .filter(|p| managed::overlaps(p, owned))
            {
                if managed::get(&live, path) != managed::get(&applied, path) {
                    conflicts.push((entry.manager.clone(), format!(".{}", path.join("."))));
                }
            }
        }
    }
    conflicts.sort();
    conflicts.dedup();
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(def, name, &api_version, &conflicts));
    }
    if force {
        for entry in entries.iter_mut().filter(|e| e.manager != manager) {
            entry
                .fields
                .retain(|owned| !applied_fields.iter().any(|p| managed::overlaps(p, owned)));
        }
    }

    let mut merged = live.clone();
    if let Some(m) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    merge(&mut merged, &applied);
    // Fields this manager applied before and dropped now go away, unless shared.
    for path in previous.difference(&applied_fields) {
        let shared = entries
            .iter()
            .filter(|e| !(e.manager == manager && e.operation == "Apply"))
            .any(|e| e.fields.iter().any(|o| managed::overlaps(o, path)));
        if !shared {
            managed::remove(&mut merged, path);
        }
    }
    entries.retain(|e| !(e.manager == manager && e.operation == "Apply"));
    entries.push(own_entry(applied_fields));
    let remaining = managed::leaves(&merged);
    for entry in entries.iter_mut() {
        entry
            .fields
            .retain(|p| remaining.iter().any(|r| managed::overlaps(r, p)));
    }
    objects::update(store, def, namespace, name, merged, Ownership::Set(entries))
}

fn conflict_error(
    def: &ResourceDef,
    name: &str,
    api_version: &str,
    conflicts: &[(String, String)],
) -> ApiError {
    let message = match conflicts {
        [(manager, field)] => format!(
            "Apply failed with 1 conflict: conflict with \"{manager}\" using {api_version}: {field}"
        ),
        many => {
            let mut text = format!("Apply failed with {} conflicts:", many.len());
            for (manager, field) in many {
                text.push_str(&format!(
                    " conflict with \"{manager}\" using {api_version}: {field}"
                ));
            }
            text
        }
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(manager, field)| {
            json!({
                "reason": "FieldManagerConflict",
                "message": format!("conflict with \"{manager}\" using {api_version}"),
                "field": field,
            })
        })
        .collect();
    let mut err = ApiError::new(409, "Conflict", message);
    let mut details = json!({"name": name, "kind": def.plural, "causes": causes});
    if !def.group.is_empty() {
        details["group"] = json!(def.group);
    }
    err.details = details;
    err
}
