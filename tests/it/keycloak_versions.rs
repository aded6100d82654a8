//! The chain on the Keycloak versions people run: the newest 26.x served here, end to end,
//! with the deprecation it brings named; and one from before the standard token exchange,
//! which step2 refuses before writing anything, naming the version needed.

use crate::support::setup::Setup;
use crate::support::{keycloak_bed, realm};

const NEWEST: &str = "localhost/bridgectl/keycloak:26.7.3";
const TOO_OLD: &str = "localhost/bridgectl/keycloak:26.1.0";

#[test]
fn the_whole_chain_on_the_newest_keycloak_with_its_deprecation_named() {
    let setup = Setup::with_keycloak("kc-newest", NEWEST);
    setup.run(&["sandbox", "up"]).assert_ok();
    let all = setup.run(&["all"]);
    all.assert_ok()
        .assert_contains("Keycloak 26.7.3 deprecates the legacy token exchange");
    setup.assert_verified();
    setup
        .run(&["all"])
        .assert_ok()
        .assert_all_unchanged("a second all on Keycloak 26.7.3");
}

#[test]
fn a_keycloak_without_the_standard_exchange_is_refused_naming_the_version_needed() {
    let bed = keycloak_bed("kc-old", &format!("  image: {TOO_OLD}\n"));
    let realm = realm("old");
    let refused = bed.run_realm(&realm, &["step2"]);
    refused
        .assert_failed()
        .assert_no_panic()
        .assert_contains("Keycloak 26.1.0 has no standard token exchange")
        .assert_contains("Set keycloak.image to Keycloak 26.2.0 or newer");
    let status = bed
        .client()
        .get(format!("{}/realms/{realm}", bed.base_url()))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 404, "step2 wrote the realm before refusing");
}
