//! Keycloak keeps its data on bridgectl's volume: recreating its container (another port)
//! keeps every user's id, so the cluster's users and identities stay valid; a reboot (every
//! container stopped) is recovered by the engine's restart service or by `bridgectl all`
//! with the same ids; `clean` removes the volume and says what it held.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::support::setup::Setup;
use crate::support::{self, free_port};
use serde_json::Value;

const USERS: [&str; 3] = ["user-a", "user-b", "user-c"];

pub fn user_ids(setup: &Setup) -> BTreeMap<String, String> {
    let admin = setup.keycloak();
    USERS
        .iter()
        .map(|user| {
            let id = admin.user_rep("demo", user)["id"]
                .as_str()
                .unwrap()
                .to_string();
            (user.to_string(), id)
        })
        .collect()
}

/// The cluster's users (name → uid) and identities (name → user), as the OAuth server made
/// them at sign-in. Recreated objects get new uids.
fn cluster_people(setup: &Setup) -> Vec<String> {
    let cluster = setup.cluster();
    let mut people = Vec::new();
    for (path, link) in [
        ("/apis/user.openshift.io/v1/users", "/identities"),
        ("/apis/user.openshift.io/v1/identities", "/user"),
    ] {
        for item in cluster.get(path)["items"].as_array().unwrap() {
            people.push(format!(
                "{} {} {}",
                item["metadata"]["name"],
                item["metadata"]["uid"],
                item.pointer(link).unwrap_or(&Value::Null)
            ));
        }
    }
    people.sort();
    people
}

fn volume(setup: &Setup) -> String {
    format!("{}-data", setup.bed.container)
}

fn volume_exists(setup: &Setup) -> bool {
    support::podman(&["volume", "exists", &volume(setup)])
        .status
        .success()
}

/// What podman-restart.service does at boot (`podman start --all --filter
/// restart-policy=always`), narrowed to this test's containers.
fn restart_service(setup: &Setup) {
    for name in [&setup.bed.container, &setup.app_container] {
        let started = support::podman(&[
            "start",
            "--all",
            "--filter",
            "restart-policy=always",
            "--filter",
            &format!("name=^{name}$"),
        ]);
        assert!(started.status.success(), "{started:?}");
    }
}

fn stop_everything(setup: &Setup) {
    for name in [&setup.bed.container, &setup.app_container] {
        assert!(support::podman(&["stop", "-t", "2", name]).status.success());
    }
}

fn part<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part"] == name)
        .unwrap_or_else(|| panic!("no part {name}: {status:#}"))
}

#[test]
fn recreated_or_rebooted_keycloak_keeps_every_user_id_and_clean_removes_its_volume() {
    let mut setup = Setup::new("data");
    setup.run(&["sandbox", "up"]).assert_ok();
    let first = setup.run(&["all"]);
    first.assert_ok();
    let volume_object = format!("volume/{}", volume(&setup));
    assert_eq!(first.outcome_of(&volume_object).as_deref(), Some("created"));
    setup.assert_verified();
    let ids = user_ids(&setup);
    let people = cluster_people(&setup);
    assert_eq!(
        people.len(),
        6,
        "three users, three identities: {people:#?}"
    );

    // Another port recreates the container; the data stays on the volume.
    let old_port = setup.bed.port;
    let new_port = free_port();
    let config = std::fs::read_to_string(setup.bed.config_path()).unwrap();
    let config = config.replace(
        &format!("https_port: {old_port}"),
        &format!("https_port: {new_port}"),
    );
    std::fs::write(setup.bed.config_path(), config).unwrap();
    setup.bed.port = new_port;
    let moved = setup.run(&["all"]);
    moved.assert_ok();
    let container_object = format!("container/{}", setup.bed.container);
    assert_eq!(
        moved.outcome_of(&container_object).as_deref(),
        Some("updated")
    );
    assert_eq!(
        moved.outcome_of(&volume_object).as_deref(),
        Some("unchanged")
    );
    for user in USERS {
        assert_eq!(
            moved.outcome_of(&format!("user/{user}")).as_deref(),
            Some("unchanged"),
            "{}",
            moved.all()
        );
    }
    assert_eq!(
        user_ids(&setup),
        ids,
        "the container was recreated with new ids"
    );
    setup.assert_verified();
    assert_eq!(
        cluster_people(&setup),
        people,
        "OpenShift users or identities were touched"
    );

    // A reboot: every container stopped. status says so, and the way back.
    stop_everything(&setup);
    let (run, status) = setup.status();
    assert_ne!(run.status, 0);
    for name in ["Keycloak container", "demo app"] {
        let row = part(&status, name);
        assert_eq!(row["ok"], false, "{status:#}");
        assert!(
            row["reason"]
                .as_str()
                .unwrap()
                .contains("as after a reboot"),
            "{row}"
        );
    }
    // The engine's restart service brings both back (policy `always`), with their data.
    restart_service(&setup);
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let (run, status) = setup.status();
        if run.status == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not back after the restart service: {status:#}"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    setup.assert_verified();
    assert_eq!(user_ids(&setup), ids);

    // Or `bridgectl all`: it starts what is stopped and changes nothing else.
    stop_everything(&setup);
    let again = setup.run(&["all"]);
    again.assert_ok();
    for container in [&setup.bed.container, &setup.app_container] {
        assert_eq!(
            again
                .outcome_of(&format!("container/{container}"))
                .as_deref(),
            Some("updated"),
            "{}",
            again.all()
        );
    }
    again.assert_contains("was stopped; started");
    setup.assert_verified();
    assert_eq!(user_ids(&setup), ids);
    assert_eq!(cluster_people(&setup), people);

    // clean removes the volume, and says what it held; a dry run shows it first.
    let plan = setup.run(&["--dry-run", "clean", "--yes"]);
    plan.assert_ok();
    assert_eq!(
        plan.outcome_of(&volume_object).as_deref(),
        Some("would delete")
    );
    plan.assert_contains(
        "Keycloak's database (realms, clients, users and their ids) would be removed",
    );
    assert!(volume_exists(&setup));
    let clean = setup.run(&["clean", "--yes"]);
    clean.assert_ok();
    assert_eq!(clean.outcome_of(&volume_object).as_deref(), Some("deleted"));
    assert!(!volume_exists(&setup), "the volume outlived clean");
}
