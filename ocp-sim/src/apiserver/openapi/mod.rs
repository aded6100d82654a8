//! `/openapi/v3` (index and one OpenAPI 3.0 document per served group version) and
//! `/openapi/v2` (one Swagger 2.0 document, JSON or protobuf), made from
//! `resources::ALL` so that kubectl finds patch types, field-validation support and
//! `explain` text as on a cluster.
//!
//! The v3 documents are served as JSON only (what client-go asks for); an Accept that
//! excludes JSON gets upstream's bare 406. `/openapi/v2` is also served as protobuf,
//! because kubectl asks for nothing else and needs it: for a kind without PATCH (such as
//! ProjectRequest) it learns from v2 that field validation is left to the client.

mod build;
mod kinds;
mod meta;
mod names;
mod paths;
mod proto;
mod v2;
mod v3;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, EXPIRES, LOCATION, VARY};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::{Digest, Sha512};

use crate::apiserver::auth::Principal;
use crate::apiserver::rbac;
use crate::apiserver::routes::request::Req;
use crate::apiserver::status::ApiError;
use crate::context::Sim;

/// Answers a request below `/openapi/` (`rest` is the path after it).
pub fn serve(sim: &Sim, req: &Req<'_>, principal: &Principal, rest: &str) -> Response {
    if let Err(e) = rbac::authorize_path(principal, req.method.as_str(), req.path) {
        return e.into_response();
    }
    if req.method != Method::GET {
        return ApiError::method_not_allowed().into_response();
    }
    let serves = |group: &str| sim.serves(group);
    match rest.trim_end_matches('/') {
        "v3" => {
            let documents: Vec<(String, String)> = v3::group_versions(serves)
                .into_iter()
                .filter_map(|(g, v)| {
                    let doc = v3::document(g, v)?;
                    Some((v3::document_path(g, v), hash(&encode(&doc))))
                })
                .collect();
            let body = encode(&v3::index(&documents));
            document_response(body, None)
        }
        "v2" => match v2_format(req.header("accept")) {
            Some(V2Format::Json) => document_response(encode(&v2::document(serves)), None),
            Some(V2Format::Protobuf) => {
                let mut response = document_response(proto::encode(&v2::document(serves)), None);
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(V2_PROTOBUF));
                response
            }
            None => not_acceptable(),
        },
        other => {
            let doc = other
                .strip_prefix("v3/")
                .and_then(v3::parse_document_path)
                .filter(|(g, _)| sim.serves(g))
                .and_then(|(g, v)| v3::document(g, v));
            match doc {
                None => ApiError::no_such_path().into_response(),
                Some(_) if !wants_json(req.header("accept")) => not_acceptable(),
                Some(doc) => group_version_response(rest, encode(&doc), req.query.get("hash")),
            }
        }
    }
}

fn encode(doc: &Value) -> Vec<u8> {
    serde_json::to_vec(doc).unwrap_or_default()
}

/// Upstream's ETag and `hash`: the SHA-512 of the document, in upper-case hex.
fn hash(body: &[u8]) -> String {
    Sha512::digest(body)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// What `/openapi/v2` answers in (upstream's content type for protobuf).
const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

enum V2Format {
    Json,
    Protobuf,
}

fn media_types(accept: &str) -> impl Iterator<Item = &str> {
    accept
        .split(',')
        .map(|clause| clause.split(';').next().unwrap_or("").trim())
}

fn is_json(media: &str) -> bool {
    matches!(media, "application/json" | "application/*" | "*/*" | "")
}

/// Whether JSON is acceptable (no Accept header means anything is).
fn wants_json(accept: Option<&str>) -> bool {
    accept.is_none_or(|accept| media_types(accept).any(is_json))
}

/// The first acceptable format of `/openapi/v2`, in the client's order.
fn v2_format(accept: Option<&str>) -> Option<V2Format> {
    let Some(accept) = accept else {
        return Some(V2Format::Json);
    };
    media_types(accept).find_map(|media| match media {
        "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
        | "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" => Some(V2Format::Protobuf),
        m if is_json(m) => Some(V2Format::Json),
        _ => None,
    })
}

fn not_acceptable() -> Response {
    (StatusCode::NOT_ACCEPTABLE, [(VARY, "Accept")]).into_response()
}

fn document_response(body: Vec<u8>, cache: Option<&str>) -> Response {
    let etag = format!("\"{}\"", hash(&body));
    let mut response = (StatusCode::OK, [(CONTENT_TYPE, "application/json")], body).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, value);
    }
    headers.insert(VARY, HeaderValue::from_static("Accept"));
    if let Some(expires) = cache.and_then(|e| HeaderValue::from_str(e).ok()) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, immutable"));
        headers.insert(EXPIRES, expires);
    }
    response
}

/// A group version's document. With the current `hash` it may be cached for good (the
/// URL changes with the content); with another one the client is sent to the current
/// URL, as upstream does; without one it is served plainly.
fn group_version_response(rest: &str, body: Vec<u8>, asked: Option<&String>) -> Response {
    let current = hash(&body);
    match asked.filter(|h| !h.is_empty()) {
        None => document_response(body, None),
        Some(h) if *h == current => document_response(body, Some(&expires_in_a_year())),
        Some(_) => {
            let url = format!("/openapi/{}?hash={current}", rest.trim_end_matches('/'));
            let html = format!("<a href=\"{url}\">Moved Permanently</a>.\n\n");
            let mut response = (
                StatusCode::MOVED_PERMANENTLY,
                [(CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&url) {
                response.headers_mut().insert(LOCATION, value);
            }
            response
        }
    }
}

/// An HTTP date a year from now, as upstream sets `Expires` on hashed documents.
fn expires_in_a_year() -> String {
    let when = time::OffsetDateTime::now_utc() + time::Duration::days(365);
    time::format_description::parse_borrowed::<1>(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT",
    )
    .ok()
    .and_then(|format| when.format(&format).ok())
    .unwrap_or_default()
}
