//! Field errors, the causes inside a 422 `Invalid` Status. Worded like apimachinery's
//! `field.Error` so messages match what a real cluster prints.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    Required,
    Invalid,
    NotSupported,
    Duplicate,
    Forbidden,
}

#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub kind: ErrorType,
    /// The offending value, already printed the way Go's `%#v` would (strings quoted).
    pub value: String,
    pub detail: String,
}

/// Prints a JSON value roughly like Go's `%#v` does in field errors.
pub fn show(value: &Value) -> String {
    match value {
        Value::String(s) => Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}

impl FieldError {
    pub fn required(field: impl Into<String>, detail: &str) -> Self {
        Self {
            field: field.into(),
            kind: ErrorType::Required,
            value: String::new(),
            detail: detail.to_string(),
        }
    }

    pub fn invalid(field: impl Into<String>, value: &Value, detail: &str) -> Self {
        Self::invalid_raw(field, show(value), detail)
    }

    pub fn invalid_raw(field: impl Into<String>, value: String, detail: &str) -> Self {
        Self {
            field: field.into(),
            kind: ErrorType::Invalid,
            value,
            detail: detail.to_string(),
        }
    }

    pub fn not_supported(field: impl Into<String>, value: &Value, supported: &[&str]) -> Self {
        let list = supported
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            field: field.into(),
            kind: ErrorType::NotSupported,
            value: show(value),
            detail: format!("supported values: {list}"),
        }
    }

    pub fn duplicate(field: impl Into<String>, value: &Value) -> Self {
        Self {
            field: field.into(),
            kind: ErrorType::Duplicate,
            value: show(value),
            detail: String::new(),
        }
    }

    pub fn forbidden(field: impl Into<String>, detail: &str) -> Self {
        Self {
            field: field.into(),
            kind: ErrorType::Forbidden,
            value: String::new(),
            detail: detail.to_string(),
        }
    }

    /// The `reason` of the Status cause.
    pub fn reason(&self) -> &'static str {
        match self.kind {
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Forbidden => "FieldValueForbidden",
        }
    }

    /// The message without the field path (what the Status cause carries).
    pub fn detail_message(&self) -> String {
        let suffix = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!(": {s}")
            }
        };
        match self.kind {
            ErrorType::Required => format!("Required value{}", suffix(&self.detail)),
            ErrorType::Invalid => format!("Invalid value: {}{}", self.value, suffix(&self.detail)),
            ErrorType::NotSupported => {
                format!("Unsupported value: {}{}", self.value, suffix(&self.detail))
            }
            ErrorType::Duplicate => format!("Duplicate value: {}", self.value),
            ErrorType::Forbidden => format!("Forbidden{}", suffix(&self.detail)),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.detail_message())
    }
}
