//! The operator's daily loop on the full chain: `sandbox up`, `all`, `verify`, `status`,
//! a Keycloak stopped by hand, `clean`, and `all` again from scratch. Real Keycloak, real
//! Podman, the simulator as `sandbox up` runs it.

use crate::support::setup::Setup;
use crate::support::{self, unique};
use serde_json::{Value, json};

fn parts(status: &Value) -> Vec<(String, bool)> {
    status["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| (p["part"].as_str().unwrap().to_string(), p["ok"] == true))
        .collect()
}

/// What the engine shows of this setup: its containers' ids, states and start times, and
/// its images' ids. A write of any kind (create, start, remove, build, pull) changes it.
fn engine_snapshot(setup: &Setup) -> String {
    let app_image = format!("localhost/{}:test", setup.app_container);
    let containers = support::podman(&[
        "inspect",
        "--format",
        "{{.Id}} {{.State.Status}} {{.State.StartedAt}}",
        &setup.bed.container,
        &setup.app_container,
    ]);
    let images = support::podman(&[
        "image",
        "inspect",
        "--format",
        "{{.Id}}",
        &app_image,
        &support::keycloak_image(),
    ]);
    assert!(containers.status.success() && images.status.success());
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&containers.stdout),
        String::from_utf8_lossy(&images.stdout)
    )
}

fn sorted_files(setup: &Setup) -> Vec<std::path::PathBuf> {
    let mut files = support::files_under(&setup.bed.state_dir());
    files.sort();
    files
}

/// `status` and every `--dry-run` on a converged chain: Keycloak records no admin event,
/// the simulator serves no write, the engine shows the same containers and images, and
/// the state directory holds the same files.
fn reads_and_plans_write_nothing(setup: &Setup) {
    let keycloak = setup.keycloak();
    let cluster = setup.cluster();
    let events_before = keycloak.admin_event_count("demo");
    assert!(
        events_before > 0,
        "step2's writes are recorded as admin events"
    );
    let engine_before = engine_snapshot(setup);
    let files_before = sorted_files(setup);
    cluster.reset_counts();
    let reads: [&[&str]; 11] = [
        &["status"],
        &["status", "--output", "json"],
        &["--dry-run", "all"],
        &["--dry-run", "step1"],
        &["--dry-run", "step2"],
        &["--dry-run", "step3"],
        &["--dry-run", "step4"],
        &["--dry-run", "step5"],
        &["--dry-run", "clean"],
        &["--dry-run", "clean", "--images", "--purge"],
        &["--dry-run", "sandbox", "down"],
    ];
    for args in reads {
        let run = setup.run(args);
        run.assert_ok();
        if args[0] == "--dry-run" && args[1] == "clean" {
            assert!(run.stdout.contains("would delete"), "{}", run.all());
        }
    }
    assert_eq!(
        cluster.writes_since_reset(),
        0,
        "status or a dry run wrote to the cluster"
    );
    assert_eq!(
        keycloak.admin_event_count("demo"),
        events_before,
        "status or a dry run wrote to Keycloak"
    );
    assert_eq!(
        engine_snapshot(setup),
        engine_before,
        "status or a dry run changed the engine"
    );
    assert_eq!(
        sorted_files(setup),
        files_before,
        "status or a dry run changed the state directory"
    );
}

#[test]
fn sandbox_all_verify_status_break_repair_clean_and_again() {
    // The release binary alone in an empty directory, no toolchain on PATH: everything it
    // runs (the simulator, the demo app in its image) it carries.
    let setup = Setup::alone("loop");
    // Without a cluster, the error says how to get one.
    setup
        .run(&["step5"])
        .assert_failed()
        .assert_contains("bridgectl sandbox up");
    setup.run(&["sandbox", "up"]).assert_ok();
    setup
        .run(&["sandbox", "up"])
        .assert_ok()
        .assert_contains("unchanged  process/ocp-sim");

    // A dry run on nothing plans every object and writes nothing.
    let plan = setup.run(&["--dry-run", "all"]);
    plan.assert_ok();
    let planned = plan.outcomes();
    assert!(planned.len() >= 20, "{}", plan.all());
    assert!(
        planned.iter().all(|o| o == "would create"),
        "{}",
        plan.all()
    );
    assert!(support::container_id(&setup.bed.container).is_none());
    assert!(!setup.bed.state_dir().join("tls/ca.crt").exists());

    setup.run(&["all"]).assert_ok();
    setup.assert_verified();
    let beside: Vec<_> = std::fs::read_dir(setup.alone_dir().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["bridgectl"], "the lone binary wrote beside itself");

    let again = setup.run(&["all"]);
    again.assert_ok();
    let outcomes = again.outcomes();
    assert!(outcomes.len() >= 20, "{}", again.all());
    assert!(
        outcomes.iter().all(|o| o == "unchanged"),
        "a converged all changes nothing:\n{}",
        again.all()
    );

    reads_and_plans_write_nothing(&setup);

    let (run, status) = setup.status();
    assert_eq!(run.status, 0, "{}", run.all());
    assert_eq!(status["ok"], true);
    assert!(parts(&status).iter().all(|(_, ok)| *ok), "{status:#}");
    assert_eq!(parts(&status).len(), 9, "one row per part of the chain");
    let deep = setup.run(&["status", "--deep"]);
    deep.assert_ok();
    assert!(
        deep.stdout.contains("✔ token exchange (deep)"),
        "{}",
        deep.all()
    );

    // Keycloak stopped by hand: status names it, with a hint, and fails; all repairs it.
    support::podman(&["stop", "-t", "2", &setup.bed.container]);
    let (run, status) = setup.status();
    assert_ne!(run.status, 0);
    let keycloak = status["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part"] == "Keycloak container")
        .unwrap();
    assert_eq!(keycloak["ok"], false, "{status:#}");
    assert!(
        keycloak["hint"].as_str().unwrap().contains("bridgectl"),
        "{keycloak}"
    );
    let table = setup.run(&["status"]);
    assert_ne!(table.status, 0);
    assert!(
        table.stdout.contains("✖ Keycloak container"),
        "{}",
        table.all()
    );
    let repaired = setup.run(&["all"]);
    repaired.assert_ok();
    assert_eq!(
        repaired
            .outcome_of(&format!("container/{}", setup.bed.container))
            .as_deref(),
        Some("updated")
    );
    setup.status().0.assert_ok();

    // Things bridgectl did not create: clean must leave them alone.
    let cluster = setup.cluster();
    let foreign_container = unique("foreign");
    support::podman(&[
        "create",
        "--name",
        &foreign_container,
        &support::keycloak_image(),
    ]);
    let (code, body) = cluster.call(
        "POST",
        "/api/v1/namespaces",
        Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-own"}})),
    );
    assert_eq!(code, 201, "{body}");
    let mut providers =
        cluster.get("/apis/config.openshift.io/v1/oauths/cluster")["spec"]["identityProviders"]
            .clone();
    providers.as_array_mut().unwrap().push(json!({
        "name": "corp-ldap", "mappingMethod": "claim", "type": "LDAP",
        "ldap": {"url": "ldap://ldap.example.com/ou=users?uid", "insecure": true,
                 "attributes": {"id": ["dn"], "preferredUsername": ["uid"]}}
    }));
    cluster.merge_patch(
        "/apis/config.openshift.io/v1/oauths/cluster",
        json!({"spec": {"identityProviders": providers}}),
    );

    let clean = setup.run(&["clean", "--yes", "--images"]);
    clean.assert_ok();
    assert!(
        clean.outcomes().iter().all(|o| o == "deleted"),
        "{}",
        clean.all()
    );
    let (run, status) = setup.status();
    assert_ne!(run.status, 0);
    for (part, ok) in parts(&status) {
        // The state directory (and so the certificates) stays without --purge.
        assert_eq!(ok, part == "certificates", "{part}: {status:#}");
    }
    let left = setup.run(&["clean", "--yes"]);
    left.assert_ok();
    assert!(
        left.outcomes().iter().all(|o| o == "absent"),
        "{}",
        left.all()
    );

    // Everything that was not bridgectl's is still there.
    assert!(support::container_id(&foreign_container).is_some());
    support::podman(&["rm", "-f", &foreign_container]);
    assert_eq!(
        cluster.call("GET", "/api/v1/namespaces/team-own", None).0,
        200
    );
    let names = cluster.identity_provider_names();
    assert!(names.contains(&"htpasswd".to_string()), "{names:?}");
    assert!(names.contains(&"corp-ldap".to_string()), "{names:?}");
    assert!(!names.contains(&"keycloak".to_string()), "{names:?}");

    // And from scratch again.
    setup.run(&["all"]).assert_ok();
    setup.assert_verified();
}
