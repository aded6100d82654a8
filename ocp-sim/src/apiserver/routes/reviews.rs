//! Reviews: `SelfSubjectAccessReview` and `SubjectAccessReview` (may this user do that?,
//! answered by the same RBAC evaluation that guards every request, which is what `kubectl
//! auth can-i` asks) and `SelfSubjectReview` (who am I, `kubectl auth whoami`). Nothing is
//! stored: the created object comes back with its status filled in.

use serde_json::{Value, json};

use super::body;
use super::request::{Reply, Req};
use crate::apiserver::auth::Principal;
use crate::apiserver::field_error::FieldError;
use crate::apiserver::rbac::{self, Attributes};
use crate::apiserver::resources::{
    ResourceDef, SELFSUBJECTACCESSREVIEWS, SELFSUBJECTREVIEWS, SUBJECTACCESSREVIEWS,
};
use crate::apiserver::status::{ApiError, ApiResult};
use crate::apiserver::write::objects::check_type;
use crate::context::Sim;

/// Groups whose members a real cluster binds to cluster-admin.
const ADMIN_GROUPS: &[&str] = &["system:masters", "system:cluster-admins"];

pub fn is_review(def: &ResourceDef) -> bool {
    [
        &SELFSUBJECTACCESSREVIEWS,
        &SUBJECTACCESSREVIEWS,
        &SELFSUBJECTREVIEWS,
    ]
    .contains(&def)
}

pub fn handle(
    sim: &Sim,
    req: &Req<'_>,
    principal: &Principal,
    def: &ResourceDef,
) -> ApiResult<Reply> {
    let mut review = body::decode(req.header("content-type"), req.body, def)?;
    check_type(def, &mut review)?;
    // As the real server answers: who-am-I with an unset creation time, access reviews
    // with empty metadata.
    if *def == SELFSUBJECTREVIEWS {
        review["metadata"] = json!({"creationTimestamp": null});
        review["status"] = json!({"userInfo": {
            "username": principal.name(),
            "groups": principal.groups(),
        }});
        return Ok(created(review));
    }
    review["metadata"] = json!({});
    let spec = review.get("spec").cloned().unwrap_or(json!({}));
    // The real server names no kind here (its reviews lose their type before validation):
    // `.authorization.k8s.io "" is invalid`.
    let invalid = |errors: Vec<FieldError>| ApiError::invalid(def.group, "", "", &errors);
    let mut errors = attribute_errors(&spec);
    let subject = if *def == SUBJECTACCESSREVIEWS {
        let subject = subject_of(&spec);
        if subject.is_none() {
            errors.push(FieldError::invalid(
                "spec.user",
                &json!(""),
                "at least one of user or group must be specified",
            ));
        }
        subject
    } else {
        Some(principal.clone())
    };
    let Some(subject) = subject.filter(|_| errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let allowed = {
        let store = sim.store();
        match (
            spec.get("resourceAttributes"),
            spec.get("nonResourceAttributes"),
        ) {
            (Some(attributes), _) => resource_allowed(&store, &subject, attributes),
            (_, Some(attributes)) => {
                rbac::path_allowed(&subject, text(attributes, "verb"), text(attributes, "path"))
            }
            (None, None) => false,
        }
    };
    review["status"] = json!({"allowed": allowed});
    Ok(created(review))
}

fn created(body: Value) -> Reply {
    Reply {
        code: 201,
        body,
        warnings: Vec::new(),
    }
}

fn text<'v>(object: &'v Value, key: &str) -> &'v str {
    object.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Exactly one of the two attribute kinds, in the real server's words.
fn attribute_errors(spec: &Value) -> Vec<FieldError> {
    let set = |key| spec.get(key).is_some_and(|v| !v.is_null());
    match (set("resourceAttributes"), set("nonResourceAttributes")) {
        // The value printed is the server's internal struct, with Go's field names.
        (true, true) => vec![FieldError::invalid(
            "spec.nonResourceAttributes",
            &json!({
                "Path": text(&spec["nonResourceAttributes"], "path"),
                "Verb": text(&spec["nonResourceAttributes"], "verb"),
            }),
            "cannot be specified in combination with resourceAttributes",
        )],
        (false, false) => vec![FieldError::invalid_raw(
            "spec.resourceAttributes",
            "null".into(),
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )],
        _ => Vec::new(),
    }
}

/// The user a SubjectAccessReview asks about, or None when it names nobody.
fn subject_of(spec: &Value) -> Option<Principal> {
    let name = text(spec, "user").to_string();
    let groups: Vec<String> = spec
        .get("groups")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if name.is_empty() && groups.is_empty() {
        return None;
    }
    if groups.iter().any(|g| ADMIN_GROUPS.contains(&g.as_str())) {
        return Some(Principal::Admin);
    }
    Some(Principal::User {
        name,
        groups,
        scopes: vec!["user:full".into()],
    })
}

fn resource_allowed(
    store: &crate::apiserver::store::Store,
    subject: &Principal,
    attributes: &Value,
) -> bool {
    let subresource = text(attributes, "subresource");
    let resource = match subresource {
        "" => text(attributes, "resource").to_string(),
        sub => format!("{}/{sub}", text(attributes, "resource")),
    };
    rbac::allowed(
        store,
        subject,
        &Attributes {
            verb: text(attributes, "verb"),
            group: text(attributes, "group"),
            resource: &resource,
            name: text(attributes, "name"),
            namespace: text(attributes, "namespace"),
        },
    )
}
