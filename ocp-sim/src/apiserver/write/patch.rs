//! PATCH: JSON merge patch, JSON patch, strategic merge patch (built-in kinds only,
//! where it behaves like a merge patch for the fields served here) and server-side apply.

use serde_json::Value;

use crate::apiserver::resources::ResourceDef;
use crate::apiserver::status::{ApiError, ApiResult};
use crate::apiserver::store::Store;
use crate::apiserver::write::apply;
use crate::apiserver::write::objects::{self, Ownership, Written};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Strategic,
    Apply,
}

pub fn from_content_type(content_type: &str) -> Option<PatchType> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media {
        "application/merge-patch+json" => Some(PatchType::Merge),
        "application/json-patch+json" => Some(PatchType::Json),
        "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
        "application/apply-patch+yaml" | "application/apply-patch+json" => Some(PatchType::Apply),
        _ => None,
    }
}

pub fn accepted(def: &ResourceDef) -> Vec<&'static str> {
    if def.crd {
        vec![
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/apply-patch+yaml",
        ]
    } else {
        vec![
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
            "application/apply-patch+yaml",
        ]
    }
}

pub struct Request<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub kind: PatchType,
    pub body: &'a [u8],
    pub manager: Option<&'a str>,
    pub default_manager: &'a str,
    pub force: bool,
}

pub fn patch(store: &mut Store, def: &ResourceDef, req: Request<'_>) -> ApiResult<Written> {
    if req.kind == PatchType::Strategic && def.crd {
        return Err(ApiError::unsupported_media_type(&accepted(def)));
    }
    if req.kind == PatchType::Apply {
        let Some(manager) = req.manager.filter(|m| !m.is_empty()) else {
            return Err(ApiError::invalid(
                "meta.k8s.io",
                "PatchOptions",
                "",
                &[crate::apiserver::field_error::FieldError::required(
                    "fieldManager",
                    "is required for apply patch",
                )],
            ));
        };
        return apply::apply(
            store,
            def,
            req.namespace,
            req.name,
            req.body,
            manager,
            req.force,
        );
    }
    if req.force {
        return Err(ApiError::invalid(
            "meta.k8s.io",
            "PatchOptions",
            "",
            &[crate::apiserver::field_error::FieldError::forbidden(
                "force",
                "may not be specified for non-apply patch",
            )],
        ));
    }
    let Some(current) = store.get(def, req.namespace, req.name).cloned() else {
        return Err(ApiError::not_found(&def.gr(), req.name));
    };
    let mut doc = current;
    match req.kind {
        PatchType::Merge | PatchType::Strategic => {
            let patch: Value = serde_json::from_slice(req.body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            if !patch.is_object() {
                return Err(ApiError::bad_request(
                    "error decoding patch: a merge patch must be a JSON object",
                ));
            }
            json_patch::merge(&mut doc, &patch);
        }
        PatchType::Json => {
            let patch: json_patch::Patch = serde_json::from_slice(req.body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            json_patch::patch(&mut doc, &patch).map_err(|e| {
                ApiError::new(
                    422,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })?;
        }
        PatchType::Apply => return Err(ApiError::internal("apply reached the merge path")),
    }
    let manager = req
        .manager
        .filter(|m| !m.is_empty())
        .unwrap_or(req.default_manager);
    objects::update(
        store,
        def,
        req.namespace,
        req.name,
        doc,
        Ownership::Update(manager.to_string()),
    )
}
