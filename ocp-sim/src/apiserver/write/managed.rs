//! Field ownership (`metadata.managedFields`), the bookkeeping behind server-side apply.
//! Fields are tracked at leaf granularity; every list is atomic (a leaf), which is what
//! the schemas of the kinds served here say (`spec.identityProviders` is listType=atomic).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

pub type FieldPath = Vec<String>;
pub type FieldSet = BTreeSet<FieldPath>;

/// The tracked leaf fields of an object: everything but type and server-owned metadata.
pub fn leaves(obj: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    let Some(map) = obj.as_object() else {
        return out;
    };
    for (key, value) in map {
        match key.as_str() {
            "apiVersion" | "kind" | "status" => {}
            "metadata" => {
                for sub in ["labels", "annotations"] {
                    if let Some(v) = value.get(sub) {
                        collect(v, vec![key.clone(), sub.to_string()], &mut out);
                    }
                }
            }
            _ => collect(value, vec![key.clone()], &mut out),
        }
    }
    out
}

fn collect(value: &Value, path: FieldPath, out: &mut FieldSet) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let mut p = path.clone();
                p.push(k.clone());
                collect(v, p, out);
            }
        }
        _ => {
            out.insert(path);
        }
    }
}

pub fn get<'a>(obj: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(obj, |v, k| v.get(k))
}

pub fn remove(obj: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = obj;
    for key in parents {
        match cur.get_mut(key) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(map) = cur.as_object_mut() {
        map.remove(last);
    }
}

/// Two paths touch when one is a prefix of the other.
pub fn overlaps(a: &[String], b: &[String]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut cur = &mut root;
        for key in path {
            let entry = cur
                .entry(format!("f:{key}"))
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            cur = entry.as_object_mut().expect("just made an object");
        }
    }
    Value::Object(root)
}

pub fn from_fields_v1(value: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    walk_fields(value, Vec::new(), &mut out);
    out
}

fn walk_fields(value: &Value, path: FieldPath, out: &mut FieldSet) {
    let children: Vec<(&String, &Value)> = value
        .as_object()
        .map(|m| m.iter().filter(|(k, _)| k.starts_with("f:")).collect())
        .unwrap_or_default();
    if children.is_empty() {
        if !path.is_empty() {
            out.insert(path);
        }
        return;
    }
    for (k, v) in children {
        let mut p = path.clone();
        p.push(k.trim_start_matches("f:").to_string());
        walk_fields(v, p, out);
    }
}

/// One `managedFields` entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: String,
    pub fields: FieldSet,
}

pub fn read(obj: &Value) -> Vec<Entry> {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .map(|e| Entry {
                    manager: str_of(e, "manager"),
                    operation: str_of(e, "operation"),
                    api_version: str_of(e, "apiVersion"),
                    time: str_of(e, "time"),
                    fields: from_fields_v1(e.get("fieldsV1").unwrap_or(&Value::Null)),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

pub fn write(obj: &mut Value, entries: &[Entry]) {
    let rendered: Vec<Value> = entries
        .iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            json!({
                "manager": e.manager,
                "operation": e.operation,
                "apiVersion": e.api_version,
                "time": e.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(&e.fields),
            })
        })
        .collect();
    let meta = crate::meta::metadata_mut(obj);
    if rendered.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(rendered));
    }
}

/// Records a non-apply write (create, update, patch) by `manager`: it takes ownership
/// of every field it changed; fields that no longer exist are owned by nobody.
pub fn record_update(old: Option<&Value>, new: &mut Value, manager: &str, api_version: &str) {
    let mut entries = old.map(read).unwrap_or_default();
    let new_leaves = leaves(new);
    let changed: FieldSet = new_leaves
        .iter()
        .filter(|p| old.and_then(|o| get(o, p)) != get(new, p))
        .cloned()
        .collect();
    for entry in entries.iter_mut() {
        entry
            .fields
            .retain(|p| new_leaves.contains(p) && !changed.contains(p));
    }
    if !changed.is_empty() {
        let now = crate::meta::now();
        match entries
            .iter_mut()
            .find(|e| e.manager == manager && e.operation == "Update")
        {
            Some(entry) => {
                entry.fields.extend(changed);
                entry.time = now;
                entry.api_version = api_version.to_string();
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version: api_version.to_string(),
                time: now,
                fields: changed,
            }),
        }
    }
    write(new, &entries);
}
