//! Which client attribute the token exchange really depends on, on a Keycloak 26.2 started
//! without the legacy `token-exchange` feature (only the standard exchange, on by default).
//! With the legacy feature on, Keycloak falls back to it and the attribute stops mattering,
//! so this needs a Keycloak of its own.

use crate::support::{Bed, jwt_claims, keycloak_bed};
use serde_json::json;

#[test]
fn standard_exchange_needs_the_attribute_on_the_requesting_client() {
    let kc = &keycloak_bed("standard", "  features: []\n");
    let realm = "standard";
    kc.run_realm(realm, &["step2"]).assert_ok();
    let token = |kc: &Bed| kc.access_token(realm, "user-a");

    let resp = kc.exchange(realm, &token(kc));
    assert_eq!(resp.status(), 200);
    let exchanged: serde_json::Value = resp.json().unwrap();
    assert_eq!(
        jwt_claims(exchanged["access_token"].as_str().unwrap())["azp"],
        "ocp-oauth"
    );

    // The attribute names of the seeds do nothing; without Keycloak's own name the
    // standard exchange is refused.
    let admin = kc.admin();
    let mut ocp = admin.client_rep(realm, "ocp-oauth");
    let id = ocp["id"].as_str().unwrap().to_string();
    ocp["attributes"]["standard.token.exchange.enabled"] = json!("false");
    ocp["attributes"]["token.exchange.standard.enabled"] = json!("true");
    ocp["attributes"]["client.token.exchange.standard.enabled"] = json!("true");
    ocp["attributes"]["token.exchange.grant.enabled"] = json!("true");
    admin.put(&format!("/{realm}/clients/{id}"), &ocp);
    let refused = kc.exchange(realm, &token(kc));
    assert_eq!(refused.status(), 400);
    let error: serde_json::Value = refused.json().unwrap();
    assert_eq!(
        error["error_description"],
        "Standard token exchange is not enabled for the requested client"
    );

    let repair = kc.run_realm(realm, &["step2"]);
    repair.assert_ok();
    assert_eq!(
        repair.outcome_of("client/ocp-oauth").as_deref(),
        Some("updated")
    );
    assert_eq!(kc.exchange(realm, &token(kc)).status(), 200);
}
