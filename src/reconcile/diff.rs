//! Field-level comparison of desired and live objects. Only the fields we manage are
//! compared: anything the server adds (ids, defaults, timestamps) is left alone.

use serde_json::Value;

/// One field that differs; values are hidden when the field holds a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub desired: Value,
    pub live: Option<Value>,
}

impl FieldChange {
    /// `clients.attributes.x: "a" -> "b"`, or just the path for secret fields.
    pub fn describe(&self, secret_fields: &[&str]) -> String {
        let leaf = self.path.rsplit(['.', '[']).next().unwrap_or(&self.path);
        if secret_fields.contains(&leaf) {
            return format!("{}: (secret changed)", self.path);
        }
        let live = self
            .live
            .as_ref()
            .map(compact)
            .unwrap_or_else(|| "(unset)".into());
        format!("{}: {} -> {}", self.path, live, compact(&self.desired))
    }
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 80 {
        format!("{}…", &text[..text.floor_char_boundary(77)])
    } else {
        text
    }
}

/// Fields of `desired` whose value in `live` differs. Objects are compared key by key
/// (extra live keys are ignored); arrays of equal length item by item, others whole.
pub fn diff_subset(desired: &Value, live: &Value) -> Vec<FieldChange> {
    diff_subset_unordered(desired, live, &[])
}

/// Like `diff_subset`, but lists under the keys in `sets` are compared as sets (servers
/// such as Keycloak store redirect URIs unordered and return them in any order).
pub fn diff_subset_unordered(desired: &Value, live: &Value, sets: &[&str]) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", desired, Some(live), sets, &mut out);
    out
}

fn walk(
    path: &str,
    desired: &Value,
    live: Option<&Value>,
    sets: &[&str],
    out: &mut Vec<FieldChange>,
) {
    match (desired, live) {
        (Value::Object(want), Some(Value::Object(have))) => {
            for (key, want_value) in want {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let (true, Value::Array(want_items), Some(Value::Array(have_items))) =
                    (sets.contains(&key.as_str()), want_value, have.get(key))
                {
                    // A set differs as a whole; item positions mean nothing.
                    if !same_set(want_items, have_items) {
                        out.push(FieldChange {
                            path: child,
                            desired: want_value.clone(),
                            live: have.get(key).cloned(),
                        });
                    }
                    continue;
                }
                walk(&child, want_value, have.get(key), sets, out);
            }
        }
        (Value::Array(want), Some(Value::Array(have))) if want.len() == have.len() => {
            for (i, (want_item, have_item)) in want.iter().zip(have).enumerate() {
                walk(
                    &format!("{path}[{i}]"),
                    want_item,
                    Some(have_item),
                    sets,
                    out,
                );
            }
        }
        (want, have) if have == Some(want) => {}
        // A missing field and an explicit null or empty list mean the same to the servers.
        (Value::Null, None) => {}
        (Value::Array(items), None) if items.is_empty() => {}
        (want, have) => out.push(FieldChange {
            path: path.to_string(),
            desired: want.clone(),
            live: have.cloned(),
        }),
    }
}

fn same_set(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_managed_fields_count() {
        let desired = json!({"enabled": true, "attributes": {"a": "1"}, "redirectUris": ["x"]});
        let live = json!({"id": "42", "enabled": true, "attributes": {"a": "1", "b": "2"}, "redirectUris": ["x"]});
        assert!(diff_subset(&desired, &live).is_empty());
    }

    #[test]
    fn changed_missing_and_reordered_fields_are_reported() {
        let desired = json!({"enabled": true, "attributes": {"a": "1"}, "redirectUris": ["x", "y"], "secret": "s"});
        let live =
            json!({"enabled": false, "attributes": {}, "redirectUris": ["y", "x"], "secret": "t"});
        let changes = diff_subset(&desired, &live);
        let paths: Vec<_> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "attributes.a",
                "enabled",
                "redirectUris[0]",
                "redirectUris[1]",
                "secret"
            ]
        );
        let described: Vec<_> = changes.iter().map(|c| c.describe(&["secret"])).collect();
        assert!(described.contains(&"attributes.a: (unset) -> \"1\"".to_string()));
        assert!(described.contains(&"secret: (secret changed)".to_string()));
        assert!(!described.iter().any(|d| d.contains("\"s\"")));
    }

    #[test]
    fn set_valued_lists_ignore_order_but_not_content() {
        let desired = json!({"redirectUris": ["a", "b"]});
        assert!(
            diff_subset_unordered(
                &desired,
                &json!({"redirectUris": ["b", "a"]}),
                &["redirectUris"]
            )
            .is_empty()
        );
        let changed = diff_subset_unordered(
            &desired,
            &json!({"redirectUris": ["b", "c"]}),
            &["redirectUris"],
        );
        assert_eq!(changed.len(), 1);
    }
}
