//! RBAC kinds: RoleBinding and ClusterRole.

use serde_json::{Value, json};

use crate::apiserver::field_error::FieldError;
use crate::meta::str_at;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

pub fn role_binding(obj: &mut Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // rbac/v1 defaulting: User and Group subjects get the RBAC API group.
    if let Some(subjects) = obj.get_mut("subjects").and_then(Value::as_array_mut) {
        for subject in subjects.iter_mut() {
            let kind = subject.get("kind").and_then(Value::as_str).unwrap_or("");
            let group = subject
                .get("apiGroup")
                .and_then(Value::as_str)
                .unwrap_or("");
            if (kind == "User" || kind == "Group") && group.is_empty() && subject.is_object() {
                subject["apiGroup"] = json!(RBAC_GROUP);
            }
        }
    }

    let kind = obj.pointer("/roleRef/kind").cloned().unwrap_or(json!(""));
    if !matches!(kind.as_str(), Some("Role" | "ClusterRole")) {
        errors.push(FieldError::not_supported(
            "roleRef.kind",
            &kind,
            &["Role", "ClusterRole"],
        ));
    }
    let group = obj
        .pointer("/roleRef/apiGroup")
        .cloned()
        .unwrap_or(json!(""));
    if group.as_str() != Some(RBAC_GROUP) {
        errors.push(FieldError::not_supported(
            "roleRef.apiGroup",
            &group,
            &[RBAC_GROUP],
        ));
    }
    if str_at(obj, "/roleRef/name").is_none() {
        errors.push(FieldError::required("roleRef.name", ""));
    }

    let subjects = obj
        .get("subjects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, subject) in subjects.iter().enumerate() {
        let path = format!("subjects[{i}]");
        let kind = subject.get("kind").cloned().unwrap_or(json!(""));
        let group = subject.get("apiGroup").cloned().unwrap_or(json!(""));
        if str_at(subject, "/name").is_none() {
            errors.push(FieldError::required(format!("{path}.name"), ""));
        }
        match kind.as_str() {
            Some("User" | "Group") => {
                if group.as_str() != Some(RBAC_GROUP) {
                    errors.push(FieldError::not_supported(
                        format!("{path}.apiGroup"),
                        &group,
                        &[RBAC_GROUP],
                    ));
                }
            }
            Some("ServiceAccount") => {
                if group.as_str().is_some_and(|g| !g.is_empty()) {
                    errors.push(FieldError::not_supported(
                        format!("{path}.apiGroup"),
                        &group,
                        &[""],
                    ));
                }
            }
            _ => errors.push(FieldError::not_supported(
                format!("{path}.kind"),
                &kind,
                &["ServiceAccount", "User", "Group"],
            )),
        }
    }

    if let Some(old) = old
        && old.get("roleRef") != obj.get("roleRef")
    {
        let field = |p: &str| {
            obj.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let shown = format!(
            // As kube-apiserver 1.36 prints it (older ones printed the Go struct).
            "{{\"APIGroup\":\"{}\",\"Kind\":\"{}\",\"Name\":\"{}\"}}",
            field("/roleRef/apiGroup"),
            field("/roleRef/kind"),
            field("/roleRef/name")
        );
        errors.push(FieldError::invalid_raw(
            "roleRef",
            shown,
            "cannot change roleRef",
        ));
    }
    errors
}

pub fn cluster_role(obj: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let rules = obj
        .get("rules")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, rule) in rules.iter().enumerate() {
        let non_empty = |k: &str| {
            rule.get(k)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        };
        if !non_empty("verbs") {
            errors.push(FieldError::required(
                format!("rules[{i}].verbs"),
                "verbs must contain at least one value",
            ));
        }
        if !non_empty("nonResourceURLs") && !non_empty("apiGroups") {
            errors.push(FieldError::required(
                format!("rules[{i}].apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
    }
    errors
}
