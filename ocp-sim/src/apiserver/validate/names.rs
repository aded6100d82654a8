//! Object name rules (`metadata.name`), with the real server's wording.

use serde_json::Value;

use crate::apiserver::field_error::FieldError;

const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Namespaces and projects.
    Label,
    /// Most resources.
    Subdomain,
    /// RBAC, users, identities, OAuth clients: anything usable as one URL path segment.
    PathSegment,
}

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

pub fn is_dns_label(s: &str) -> bool {
    s.len() <= 63 && is_label(s)
}

pub fn check(rule: Rule, name: &str) -> Vec<FieldError> {
    let field = "metadata.name";
    let value = Value::String(name.to_string());
    let mut errors = Vec::new();
    match rule {
        Rule::Label => {
            if name.len() > 63 {
                errors.push(FieldError::invalid(
                    field,
                    &value,
                    "must be no more than 63 characters",
                ));
            }
            if !is_label(name) {
                errors.push(FieldError::invalid(field, &value, LABEL_MSG));
            }
        }
        Rule::Subdomain => {
            if name.len() > 253 {
                errors.push(FieldError::invalid(
                    field,
                    &value,
                    "must be no more than 253 characters",
                ));
            }
            if !name.split('.').all(is_label) {
                errors.push(FieldError::invalid(field, &value, SUBDOMAIN_MSG));
            }
        }
        Rule::PathSegment => {
            if name == "." || name == ".." {
                errors.push(FieldError::invalid(
                    field,
                    &value,
                    &format!("may not be '{name}'"),
                ));
            }
            for bad in ["/", "%"] {
                if name.contains(bad) {
                    errors.push(FieldError::invalid(
                        field,
                        &value,
                        &format!("may not contain '{bad}'"),
                    ));
                }
            }
        }
    }
    errors
}

/// Keys of ConfigMap and Secret data.
pub fn is_config_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key != "."
        && key != ".."
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.')
}

pub const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
