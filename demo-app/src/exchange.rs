//! Step 2a: RFC 8693 token exchange at Keycloak. The target client (`ocp-oauth`, the
//! client OpenShift's OAuth server uses) authenticates itself and receives a token for
//! the same user. Only a display summary of the answer is returned; the exchanged token
//! itself is dropped here.

use serde_json::Value;

use crate::claims::{self, ExchangeSummary, truncate};
use crate::errors::{Problem, Server, TokenStep};
use crate::metrics::Upstream;
use crate::oidc::{Discovery, Keycloak};
use crate::settings::Secret;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

pub async fn exchange(
    kc: &Keycloak,
    d: &Discovery,
    subject_token: &Secret,
) -> Result<ExchangeSummary, Problem> {
    let settings = kc.settings();
    let form = [
        ("grant_type", GRANT_TYPE),
        ("subject_token", subject_token.expose()),
        ("subject_token_type", ACCESS_TOKEN_TYPE),
        ("requested_token_type", ACCESS_TOKEN_TYPE),
        ("client_id", &settings.kc_ocp_client_id),
        ("client_secret", settings.kc_ocp_client_secret.expose()),
    ];
    let http = kc.http();
    let answer = http
        .call(
            Upstream::KeycloakExchange,
            Server::Keycloak,
            http.client().post(&d.token_endpoint).form(&form),
        )
        .await?;
    if !answer.ok() {
        let (error, description) = answer.oauth_error();
        return Err(Problem::Refused {
            step: TokenStep::Exchange,
            status: answer.status,
            error,
            description,
        });
    }
    let body = answer.json().unwrap_or(Value::Null);
    let Some(token) = body["access_token"].as_str() else {
        return Err(Problem::BadAnswer {
            server: Server::Keycloak,
            detail: "the token exchange answer has no access_token".into(),
        });
    };
    // Display only: the exchanged token is not used further by this app (the OpenShift
    // sign-in rides on the Keycloak SSO session), so its signature is not checked.
    let claims = claims::decode_unverified(token)
        .map(|c| claims::summarize(&c))
        .unwrap_or_default();
    let text = |name: &str| truncate(body[name].as_str().unwrap_or_default(), 200);
    Ok(ExchangeSummary {
        claims,
        token_type: text("token_type"),
        issued_token_type: text("issued_token_type"),
    })
}
