//! `oauths.config.openshift.io`: the identity providers of the cluster OAuth server.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::apiserver::field_error::FieldError;
use crate::meta::str_at;

const TYPES: &[&str] = &[
    "BasicAuth",
    "GitHub",
    "GitLab",
    "Google",
    "HTPasswd",
    "Keystone",
    "LDAP",
    "OpenID",
    "RequestHeader",
];
const MAPPING_METHODS: &[&str] = &["add", "claim", "generate", "lookup"];

pub fn oauth(obj: &mut Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(providers) = obj
        .pointer_mut("/spec/identityProviders")
        .and_then(Value::as_array_mut)
    else {
        return errors;
    };
    let mut seen = HashSet::new();
    for (i, idp) in providers.iter_mut().enumerate() {
        let path = format!("spec.identityProviders[{i}]");
        if !idp.is_object() {
            errors.push(FieldError::invalid(path, idp, "must be an object"));
            continue;
        }
        // The CRD defaults mappingMethod to claim.
        if str_at(idp, "/mappingMethod").is_none() {
            idp["mappingMethod"] = json!("claim");
        }
        match str_at(idp, "/name") {
            None => errors.push(FieldError::required(format!("{path}.name"), "")),
            Some(name) => {
                if !seen.insert(name.to_string()) {
                    errors.push(FieldError::duplicate(format!("{path}.name"), &json!(name)));
                }
            }
        }
        let method = idp.get("mappingMethod").cloned().unwrap_or(json!(""));
        if !method
            .as_str()
            .is_some_and(|m| MAPPING_METHODS.contains(&m))
        {
            errors.push(FieldError::not_supported(
                format!("{path}.mappingMethod"),
                &method,
                MAPPING_METHODS,
            ));
        }
        let kind = idp.get("type").cloned().unwrap_or(Value::Null);
        match kind.as_str() {
            None | Some("") => errors.push(FieldError::required(format!("{path}.type"), "")),
            Some(t) if !TYPES.contains(&t) => errors.push(FieldError::not_supported(
                format!("{path}.type"),
                &kind,
                TYPES,
            )),
            Some("OpenID") => errors.extend(open_id(idp, &path)),
            Some("HTPasswd") => {
                if str_at(idp, "/htpasswd/fileData/name").is_none() {
                    errors.push(FieldError::required(
                        format!("{path}.htpasswd.fileData.name"),
                        "",
                    ));
                }
            }
            Some(_) => {}
        }
    }
    errors
}

fn open_id(idp: &Value, path: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(open_id) = idp.get("openID").filter(|v| v.is_object()) else {
        errors.push(FieldError::required(format!("{path}.openID"), ""));
        return errors;
    };
    let path = format!("{path}.openID");
    if str_at(open_id, "/clientID").is_none() {
        errors.push(FieldError::required(format!("{path}.clientID"), ""));
    }
    if str_at(open_id, "/clientSecret/name").is_none() {
        errors.push(FieldError::required(
            format!("{path}.clientSecret.name"),
            "",
        ));
    }
    match str_at(open_id, "/issuer") {
        None => errors.push(FieldError::required(format!("{path}.issuer"), "")),
        Some(issuer) => {
            let shown = json!(issuer);
            match url::Url::parse(issuer) {
                Err(_) => errors.push(FieldError::invalid(
                    format!("{path}.issuer"),
                    &shown,
                    "must be a valid URL",
                )),
                Ok(url) => {
                    if url.scheme() != "https" {
                        errors.push(FieldError::invalid(
                            format!("{path}.issuer"),
                            &shown,
                            "must use https scheme",
                        ));
                    }
                    if url.query().is_some() || url.fragment().is_some() {
                        errors.push(FieldError::invalid(
                            format!("{path}.issuer"),
                            &shown,
                            "must not specify query or fragment component",
                        ));
                    }
                }
            }
        }
    }
    errors
}
