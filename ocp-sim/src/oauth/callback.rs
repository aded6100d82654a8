//! `GET /oauth2callback/<idp>`: the identity provider sends the browser back here. The
//! state must be one we issued (single use), the code is exchanged, the claims read
//! from the ID token (and userinfo), and the user provisioned before the client gets
//! its own code.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::{grant, identity, idp, oidc, pages};
use crate::context::Sim;

pub async fn handler(
    State(sim): State<Arc<Sim>>,
    Path(idp_name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let param = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(state) = param("state") else {
        return pages::error(
            400,
            "invalid_request",
            "The callback has no state parameter.",
        );
    };
    let Some((expected_idp, request)) = sim.flows().take_pending(state) else {
        return pages::error(
            400,
            "invalid_state",
            "The state parameter is unknown, expired or was already used.",
        );
    };
    if expected_idp != idp_name {
        return pages::error(
            400,
            "invalid_state",
            &format!(
                "The state was issued for identity provider {expected_idp:?}, not {idp_name:?}."
            ),
        );
    }
    if let Some(error) = param("error") {
        let description = param("error_description").unwrap_or("");
        return pages::error(
            400,
            "access_denied",
            &format!("Identity provider {idp_name:?} returned an error: {error}: {description}"),
        );
    }
    let Some(code) = param("code") else {
        return pages::error(
            400,
            "invalid_request",
            "The callback has no code parameter.",
        );
    };

    let loaded = sim.with_served(|served| match idp::find(served, &idp_name) {
        Some(p) if p.kind == "OpenID" => {
            p.open_id(served).map(|cfg| (cfg, p.mapping_method.clone()))
        }
        Some(_) => Err(format!(
            "identity provider {idp_name:?} is not an OpenID provider"
        )),
        None => Err(format!(
            "identity provider {idp_name:?} is no longer configured"
        )),
    });
    let (cfg, mapping_method) = match loaded {
        Ok(x) => x,
        Err(why) => return pages::error(500, "server_error", &why),
    };
    let fail = |why: String| {
        pages::error(
            500,
            "server_error",
            &format!("Identity provider {idp_name:?}: {why}"),
        )
    };
    let http = match oidc::http_client(cfg.ca_pem.as_deref()) {
        Ok(h) => h,
        Err(why) => return fail(why),
    };
    let endpoints = match oidc::discover(&http, &cfg.issuer).await {
        Ok(e) => e,
        Err(why) => return fail(why),
    };
    let callback = format!("{}/oauth2callback/{}", sim.oauth_url, idp_name);
    let tokens = match oidc::exchange_code(
        &http,
        &endpoints,
        &cfg.client_id,
        &cfg.client_secret,
        code,
        &callback,
    )
    .await
    {
        Ok(t) => t,
        Err(why) => return fail(why),
    };
    let claims = match oidc::login_claims(&http, &endpoints, &tokens).await {
        Ok(c) => c,
        Err(why) => return fail(why),
    };
    let user = {
        let mut store = sim.store();
        identity::provision(&mut store, &idp_name, &mapping_method, &cfg, &claims)
    };
    match user {
        Ok(user) => grant::complete(&sim, request, user),
        Err(why) => fail(why),
    }
}
