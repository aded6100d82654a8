//! The end of a login: the OAuthClient's grant method decides between redirecting back
//! with an authorization code (`auto`), asking the user first (`prompt`) or refusing
//! (`deny`).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::client;
use super::flows::{AuthorizeRequest, LoggedIn};
use super::pages;
use crate::context::Sim;
use crate::meta;

/// A 302 to `uri` with extra query parameters (existing ones are kept).
pub fn redirect_with(uri: &str, params: &[(&str, &str)]) -> Response {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (k, v) in params {
                    query.append_pair(k, v);
                }
            }
            (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
        }
        Err(e) => pages::error(
            500,
            "server_error",
            &format!("cannot redirect to {uri:?}: {e}"),
        ),
    }
}

/// Redirects back to the client with an error, keeping its state.
pub fn redirect_error(request: &AuthorizeRequest, error: &str, description: &str) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(state) = &request.state {
        params.push(("state", state));
    }
    redirect_with(&request.redirect_uri, &params)
}

fn issue_code(sim: &Sim, request: AuthorizeRequest, user: LoggedIn) -> Response {
    let code = format!("sha256~{}", meta::random_urlsafe(32));
    let redirect_uri = request.redirect_uri.clone();
    let state = request.state.clone();
    sim.flows().add_code(code.clone(), request, user);
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = &state {
        params.push(("state", state));
    }
    redirect_with(&redirect_uri, &params)
}

pub fn complete(sim: &Sim, request: AuthorizeRequest, user: LoggedIn) -> Response {
    let grant_method = {
        let store = sim.store();
        match client::load(&store, &request.client_id) {
            Some(c) if c.settle_redirect(&request.redirect_uri).is_some() => c.grant_method,
            _ => {
                return pages::error(
                    400,
                    "unauthorized_client",
                    &format!(
                        "the OAuth client {:?} or its redirect URI is no longer registered",
                        request.client_id
                    ),
                );
            }
        }
    };
    match grant_method.as_str() {
        "auto" => issue_code(sim, request, user),
        "prompt" => {
            let id = meta::random_urlsafe(24);
            let page = pages::approval(&request.client_id, &user.name, &request.scopes, &id);
            sim.flows().add_approval(id, request, user);
            page
        }
        _ => redirect_error(
            &request,
            "access_denied",
            "The resource owner or authorization server denied the request.",
        ),
    }
}

#[derive(Deserialize)]
pub struct ApprovalForm {
    then: String,
    #[serde(default)]
    approve: Option<String>,
}

pub async fn approve_handler(
    State(sim): State<Arc<Sim>>,
    Form(form): Form<ApprovalForm>,
) -> Response {
    let Some((request, user)) = sim.flows().take_approval(&form.then) else {
        return pages::error(
            400,
            "invalid_request",
            "This approval is unknown, expired or was already answered.",
        );
    };
    if form.approve.is_some() {
        issue_code(&sim, request, user)
    } else {
        redirect_error(
            &request,
            "access_denied",
            "The resource owner or authorization server denied the request.",
        )
    }
}
