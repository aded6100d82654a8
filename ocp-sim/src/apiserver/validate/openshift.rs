//! OpenShift API kinds: OAuthClient, User, Identity.

use serde_json::{Value, json};

use crate::apiserver::field_error::FieldError;
use crate::meta::str_at;

const GRANT_METHODS: &[&str] = &["auto", "prompt", "deny"];

pub fn oauth_client(obj: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(method) = obj.get("grantMethod").filter(|m| !m.is_null())
        && !method.as_str().is_some_and(|m| GRANT_METHODS.contains(&m))
    {
        errors.push(FieldError::not_supported(
            "grantMethod",
            method,
            GRANT_METHODS,
        ));
    }
    let uris = obj
        .get("redirectURIs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, uri) in uris.iter().enumerate() {
        let text = uri.as_str().unwrap_or("");
        match url::Url::parse(text) {
            Ok(url) if url.has_host() && url.fragment().is_none() => {}
            Ok(url) if url.fragment().is_some() => errors.push(FieldError::invalid(
                format!("redirectURIs[{i}]"),
                uri,
                "may not contain a fragment",
            )),
            _ => errors.push(FieldError::invalid(
                format!("redirectURIs[{i}]"),
                uri,
                "must be an absolute URL",
            )),
        }
    }
    errors
}

pub fn user(obj: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name == "~" {
        errors.push(FieldError::invalid(
            "metadata.name",
            &json!(name),
            "may not be '~'",
        ));
    }
    if name.contains(':') {
        errors.push(FieldError::invalid(
            "metadata.name",
            &json!(name),
            "may not contain \":\"",
        ));
    }
    errors
}

pub fn identity(obj: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let provider = str_at(obj, "/providerName");
    let user_name = str_at(obj, "/providerUserName");
    if provider.is_none() {
        errors.push(FieldError::required("providerName", ""));
    }
    if user_name.is_none() {
        errors.push(FieldError::required("providerUserName", ""));
    }
    if let (Some(p), Some(u)) = (provider, user_name) {
        let expected = format!("{p}:{u}");
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if name != expected {
            errors.push(FieldError::invalid(
                "metadata.name",
                &json!(name),
                &format!("must be {expected}"),
            ));
        }
    }
    errors
}
