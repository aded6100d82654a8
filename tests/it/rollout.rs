//! What a real cluster does after step3 writes: its authentication operator fetches the
//! issuer's discovery document, then rolls the OAuth server out, and serves the old
//! provider list until then (Degraded, keeping it, when the issuer cannot be reached). The
//! simulator models it (`oauth_rollout_secs`, and projects that stay Terminating after a
//! delete); bridgectl waits for it, `status` shows it as its own state, `clean` then `all`
//! at once is green, and an unreachable issuer ends step3 with the operator's words and
//! what to open.

use std::time::{Duration, Instant};

use crate::support::setup::Setup;
use crate::support::sim::Sim;
use serde_json::Value;

fn identity_provider_row(status: &Value) -> Value {
    status["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part"] == "OpenShift identity provider")
        .cloned()
        .expect("an identity provider row")
}

#[test]
fn all_waits_for_a_20s_rollout_status_shows_it_verify_passes_and_clean_then_all_is_green() {
    let setup = Setup::new("rollout");
    // The sandbox section comes last in the bed's configuration.
    let mut config = std::fs::read_to_string(setup.bed.config_path()).unwrap();
    assert!(
        config.lines().last().unwrap().starts_with("  oauth_port:"),
        "{config}"
    );
    config.push_str("  oauth_rollout_secs: 20\n  namespace_termination_secs: 5\n");
    std::fs::write(setup.bed.config_path(), config).unwrap();
    setup.run(&["sandbox", "up"]).assert_ok();

    let mut all = setup.spawn(&["all"]);
    let deadline = Instant::now() + Duration::from_secs(300);
    // Right after step3 writes, before the operator has observed the change (it first
    // fetches the issuer's discovery document, slow on a loaded machine), status sees the
    // rollout only in the OAuth server's answer; then in the operator's conditions. Both
    // are a rollout, neither is broken; the operator's words must show up while it lasts.
    let mut rolling_out = Vec::new();
    while all.try_wait().unwrap().is_none() && Instant::now() < deadline {
        let (_, status) = setup.status();
        let row = identity_provider_row(&status);
        if row["rolling_out"] == true {
            let from_operator = row["reason"]
                .as_str()
                .unwrap()
                .starts_with("rolling out: the authentication operator");
            rolling_out.push(row);
            if from_operator {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let output = all.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!rolling_out.is_empty(), "status never showed the rollout");
    for row in &rolling_out {
        assert_eq!(row["ok"], true, "a rollout is not broken: {row}");
        assert!(
            row["reason"].as_str().unwrap().starts_with("rolling out: "),
            "{row}"
        );
    }
    let last = rolling_out.last().unwrap();
    assert!(
        last["reason"]
            .as_str()
            .unwrap()
            .starts_with("rolling out: the authentication operator"),
        "status showed the operator's conditions while it rolled out: {rolling_out:?}"
    );
    assert!(
        stderr.contains("OAuthServerDeploymentProgressing"),
        "all said why it waited:\n{stderr}"
    );
    // The first verify after all passes: the provider was served when all ended.
    setup.assert_verified();
    let (_, status) = setup.status();
    let row = identity_provider_row(&status);
    assert_eq!(row["ok"], true, "{row}");
    assert_eq!(row.get("rolling_out"), None, "{row}");

    // clean, a second clean while the projects terminate, and all at once: all green.
    setup
        .run(&["clean", "--yes"])
        .assert_ok()
        .assert_contains("terminating: the cluster is removing its content");
    setup.run(&["clean", "--yes"]).assert_ok();
    let again = setup.run(&["all"]);
    again.assert_ok();
    assert_eq!(
        again.outcome_of("project/project-a").as_deref(),
        Some("created"),
        "{}",
        again.all()
    );
    setup.assert_verified();
}

#[test]
fn an_issuer_the_cluster_cannot_reach_ends_step3_with_the_operators_words_and_the_port() {
    let sim = Sim::start_with(|options| options.oauth_rollout = Some(Duration::from_secs(1)));
    // Nothing listens on the bed's Keycloak port: the operator cannot fetch the discovery.
    let bed = sim.bed("unreachable");
    let started = Instant::now();
    let step3 = bed.run(&["--set", "openshift.wait_timeout_secs=6", "step3"]);
    let took = started.elapsed();
    step3
        .assert_failed()
        .assert_no_panic()
        .assert_contains("identity provider keycloak is not served after 6 s")
        .assert_contains(
            "OAuthServerConfigObservationDegraded: failed to apply IDP keycloak config",
        )
        .assert_contains(&format!(
            "make 127.0.0.1:{port} reachable from the cluster's nodes (open port {port}",
            port = bed.port
        ));
    assert!(took < Duration::from_secs(60), "the bound held: {took:?}");
    // The operator kept the old list: the OAuth server does not know the provider.
    let operator = sim.get("/apis/config.openshift.io/v1/clusteroperators/authentication");
    let degraded = operator["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Degraded")
        .unwrap()
        .clone();
    assert_eq!(degraded["status"], "True", "{operator}");
}
