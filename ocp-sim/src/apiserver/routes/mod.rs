//! The API server's HTTP entry: request accounting and injected faults (`crate::hooks`),
//! authentication, routing to discovery or resource handlers, authorization, and the
//! hand-off of `/_sim/` requests to the test hooks.

mod body;
mod objects;
mod path;
mod projects;
pub(crate) mod request;
mod reviews;
mod users;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{HeaderValue, WARNING};
use axum::http::{Method, Request};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::apiserver::auth::{self, Principal};
use crate::apiserver::discovery;
use crate::apiserver::impersonation;
use crate::apiserver::openapi;
use crate::apiserver::rbac;
use crate::apiserver::status::{ApiError, ApiResult, json_response};
use crate::context::Sim;
use crate::hooks::{endpoints, faults};
use path::{Route, Target};
use request::{Reply, Req};

/// Largest request body accepted, like the real server's 3 MiB limit.
const BODY_LIMIT: usize = 3 * 1024 * 1024;

/// Returned when an injected fault asks for the connection to be dropped.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

fn render(result: ApiResult<Reply>) -> Response {
    match result {
        Ok(reply) => {
            let mut response = json_response(reply.code, &reply.body);
            for warning in reply.warnings {
                let text = format!("299 - {}", Value::String(warning));
                if let Ok(value) = HeaderValue::from_str(&text) {
                    response.headers_mut().append(WARNING, value);
                }
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

pub async fn serve<B>(sim: Arc<Sim>, request: Request<B>) -> Result<Response, DropConnection>
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let query: HashMap<String, String> = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let is_hook = path.starts_with("/_sim/");
    if !is_hook {
        let fault = {
            let mut hooks = sim.hooks();
            hooks.count(parts.method.as_str());
            hooks.take_fault(parts.method.as_str(), &path)
        };
        if let Some(fault) = fault {
            if fault.close_connection {
                sim.hooks().log(parts.method.as_str(), &path, 0);
                return Err(DropConnection);
            }
            let target = match path::parse(&path) {
                Route::Resource(t) => t.name.map(|n| (t.def.gr(), n)),
                _ => None,
            };
            let error = faults::error_for(&fault, target);
            sim.hooks().log(parts.method.as_str(), &path, error.code);
            return Ok(error.into_response());
        }
    }
    let bytes = match axum::body::to_bytes(Body::new(body), BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Ok(
                ApiError::for_code(413, "Request entity too large: limit is 3145728")
                    .into_response(),
            );
        }
    };
    let req = Req {
        method: &parts.method,
        path: &path,
        query: &query,
        headers: &parts.headers,
        certificate: parts.extensions.get(),
        body: &bytes,
    };
    if is_hook {
        return Ok(render(endpoints::handle(&sim, &req)));
    }
    let response = route(&sim, &req);
    sim.hooks()
        .log(parts.method.as_str(), &path, response.status().as_u16());
    Ok(response)
}

fn route(sim: &Sim, req: &Req<'_>) -> Response {
    let public = match req.path {
        "/version" | "/version/" => Some(discovery::version()),
        "/healthz" | "/readyz" | "/livez" => {
            return (axum::http::StatusCode::OK, "ok").into_response();
        }
        "/.well-known/oauth-authorization-server" => {
            Some(crate::oauth::metadata::document(&sim.oauth_url))
        }
        _ => None,
    };
    if let Some(body) = public {
        if req.method != Method::GET {
            return ApiError::method_not_allowed().into_response();
        }
        return json_response(200, &body);
    }
    let principal = {
        let store = sim.store();
        auth::authenticate(req.headers, req.certificate, &store, &sim.extra_tokens)
    };
    let principal = match principal.and_then(|p| impersonation::effective(p, req.headers)) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Some(rest) = req.path.strip_prefix("/openapi/") {
        return openapi::serve(sim, req, &principal, rest);
    }
    let route = match path::parse(req.path) {
        Route::Resource(target) if !sim.serves(target.def.group) => Route::Unknown,
        other => other,
    };
    match route {
        Route::Discovery(d) => serve_discovery(sim, req, &principal, d),
        Route::Resource(target) => render(resource(sim, req, &principal, &target)),
        Route::Unknown => {
            if let Err(e) = rbac::authorize_path(&principal, req.method.as_str(), req.path) {
                return e.into_response();
            }
            ApiError::no_such_path().into_response()
        }
    }
}

fn serve_discovery(
    sim: &Sim,
    req: &Req<'_>,
    principal: &Principal,
    d: path::Discovery,
) -> Response {
    if let Err(e) = rbac::authorize_path(principal, req.method.as_str(), req.path) {
        return e.into_response();
    }
    if req.method != Method::GET {
        return ApiError::method_not_allowed().into_response();
    }
    let aggregated = req
        .header("accept")
        .is_some_and(discovery::wants_aggregated);
    let body = match d {
        path::Discovery::CoreVersions if aggregated => {
            return aggregated_response(discovery::aggregated(true));
        }
        path::Discovery::Groups if aggregated => {
            let mut list = discovery::aggregated(false);
            retain_served(sim, &mut list["items"], "/metadata/name");
            return aggregated_response(list);
        }
        path::Discovery::CoreVersions => Some(discovery::core_versions(&sim.api_address)),
        path::Discovery::Groups => {
            let mut list = discovery::group_list();
            retain_served(sim, &mut list["groups"], "/name");
            Some(list)
        }
        path::Discovery::Group(g) if !sim.serves(&g) => None,
        path::Discovery::Resources(g, _) if !sim.serves(&g) => None,
        path::Discovery::Group(g) => discovery::group(&g),
        path::Discovery::Resources(g, v) => discovery::resource_list(&g, &v),
    };
    match body {
        Some(body) => json_response(200, &body),
        None => ApiError::no_such_path().into_response(),
    }
}

fn aggregated_response(body: Value) -> Response {
    let mut response = json_response(200, &body);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(discovery::AGGREGATED_CONTENT_TYPE),
    );
    response
}

/// The RBAC verb of a request, or 405 for what the simulator does not serve.
fn verb_of(req: &Req<'_>, target: &Target) -> ApiResult<&'static str> {
    let named = target.name.is_some();
    let verb = match (req.method.as_str(), named) {
        ("GET", true) => "get",
        ("GET", false)
            if req
                .query
                .get("watch")
                .is_some_and(|w| w == "true" || w == "1") =>
        {
            "watch"
        }
        ("GET", false) => "list",
        ("POST", false) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => return Err(ApiError::method_not_allowed()),
    };
    if !target.def.verbs.contains(&verb) {
        return Err(ApiError::method_not_allowed());
    }
    Ok(verb)
}

fn resource(sim: &Sim, req: &Req<'_>, principal: &Principal, target: &Target) -> ApiResult<Reply> {
    let verb = verb_of(req, target)?;
    let def = target.def;
    let name = target.name.as_deref().unwrap_or("");
    match (def.plural, def.group) {
        ("projects", "project.openshift.io") => {
            return projects::handle(sim, req, principal, verb, name);
        }
        ("projectrequests", "project.openshift.io") => {
            return projects::request(sim, req, principal);
        }
        ("users", "user.openshift.io") if name == "~" && verb == "get" => {
            return users::me(sim, principal);
        }
        _ => {}
    }
    {
        let store = sim.store();
        rbac::authorize(
            &store,
            principal,
            &rbac::Attributes {
                verb,
                group: def.group,
                resource: def.plural,
                name,
                namespace: &target.namespace,
            },
        )?;
    }
    if reviews::is_review(def) {
        return reviews::handle(sim, req, principal, def);
    }
    let reply = objects::handle(sim, req, principal, verb, target)?;
    if verb == "get" {
        objects::mutate_after_read(sim, req.path, target);
    }
    Ok(reply)
}

/// Drops the discovery entries of groups this cluster does not serve.
fn retain_served(sim: &Sim, entries: &mut serde_json::Value, name_pointer: &str) {
    if let Some(list) = entries.as_array_mut() {
        list.retain(|entry| {
            entry
                .pointer(name_pointer)
                .and_then(|n| n.as_str())
                .is_none_or(|name| sim.serves(name))
        });
    }
}
