//! Runs cut short: `bridgectl all` killed with SIGKILL right after one write (chosen by
//! this test from the writes a real run made), then `all` again. Every time the chain must
//! end converged, with no object twice, and `verify` green. And two `all` at once on the
//! same state directory: one waits for the other, nothing is corrupted.
//!
//! Real Keycloak and Podman, the simulator as `sandbox up` runs it.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::time::Instant;

use crate::support;
use crate::support::setup::Setup;
use serde_json::{Value, json};

const REALM: &str = "demo";
const IDP: &str = "keycloak";
const SELECTOR: &str = "labelSelector=app.kubernetes.io%2Fmanaged-by%3Dbridgectl";

/// What a kill point belongs to, and so what must be undone for the write to happen again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// Keycloak's realm, clients and users.
    Realm,
    /// Objects on the cluster.
    Cluster,
    /// The demo app's image and container.
    App,
    /// Keycloak's container (and with it Keycloak's database).
    KeycloakContainer,
}

struct KillPoint {
    part: Part,
    label: String,
    occurrence: usize,
}

impl KillPoint {
    fn spec(&self) -> String {
        format!("{}#{}", self.label, self.occurrence)
    }
}

#[test]
fn killed_after_any_write_the_next_all_converges() {
    let setup = Setup::new("kill");
    setup.run(&["sandbox", "up"]).assert_ok();
    let write_log = setup.bed.dir.path().join("writes.log");
    let log_env = write_log.to_str().unwrap();

    // From nothing, killed right after the first certificate file: the next run starts
    // over cleanly. That run's writes are the catalogue the kill points are chosen from.
    let first = "state write tls/ca.key#1";
    assert_killed(&setup, first);
    let (run, _) = setup.run_with(&["all"], &[("BRIDGECTL_WRITE_LOG", log_env)]);
    run.assert_ok();
    let bindings = converged(&setup, first, None);
    let catalogue = std::fs::read_to_string(&write_log).unwrap();
    eprintln!("writes of a whole run:\n{catalogue}");
    let points = choose(&setup, &catalogue);
    let kinds: BTreeSet<Part> = points.iter().map(|p| p.part).collect();
    assert_eq!(kinds.len(), 4, "every part has kill points: {catalogue}");
    assert!(
        points.len() >= 20,
        "{} kill points from:\n{catalogue}",
        points.len()
    );

    let mut tried = vec![first.to_string()];
    for point in &points {
        let started = Instant::now();
        undo(&setup, point.part);
        assert_killed(&setup, &point.spec());
        setup.run(&["all"]).assert_ok();
        converged(&setup, &point.spec(), Some(bindings));
        tried.push(point.spec());
        eprintln!(
            "kill point {} converged in {:?}",
            point.spec(),
            started.elapsed()
        );
    }
    let distinct: BTreeSet<&String> = tried.iter().collect();
    assert!(distinct.len() >= 20, "{tried:#?}");
    eprintln!(
        "{} kill points, each followed by a converged all:\n{tried:#?}",
        tried.len()
    );
}

/// Runs `all` with the kill point set and checks that the process died by SIGKILL (so the
/// point was reached), not by an exit of its own.
#[track_caller]
fn assert_killed(setup: &Setup, spec: &str) {
    let (run, status) = setup.run_with(&["all"], &[("BRIDGECTL_KILL_AFTER", spec)]);
    assert_eq!(
        status.signal(),
        Some(9),
        "kill point {spec} was never reached (exit {:?}):\n{}",
        status.code(),
        run.all()
    );
}

/// The kill points: for every kind of write the catalogue run made, its first and its last
/// occurrence. Certificate and secret files are written once in a state directory's life, so
/// only the first one is tried (above); they cannot be undone without starting over.
fn choose(setup: &Setup, catalogue: &str) -> Vec<KillPoint> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for label in catalogue.lines() {
        *seen.entry(label).or_default() += 1;
    }
    let mut points = Vec::new();
    for (label, count) in seen {
        // What step2 records of the passwords it set is written again with the users.
        let part = if label.starts_with("keycloak ") || label.starts_with("state write keycloak/") {
            Part::Realm
        } else if label.starts_with("openshift ") {
            Part::Cluster
        } else if label.contains(&setup.app_container) {
            Part::App
        } else if label.contains(&setup.bed.container) {
            Part::KeycloakContainer
        } else {
            continue;
        };
        for occurrence in BTreeSet::from([1, count]) {
            points.push(KillPoint {
                part,
                label: label.to_string(),
                occurrence,
            });
        }
    }
    // Keycloak's container last: each of those points costs a Keycloak start.
    points.sort_by_key(|p| p.part);
    points
}

/// Undoes one part, the way an operator or a failure would, so its writes happen again.
fn undo(setup: &Setup, part: Part) {
    match part {
        Part::Realm => {
            let keycloak = setup.keycloak();
            keycloak.delete(&format!("/{REALM}"));
            // bridgectl's read-only client lives in master, beside the realm.
            let readers = keycloak.get("/master/clients?clientId=bridgectl-reader");
            for reader in readers.as_array().unwrap() {
                keycloak.delete(&format!(
                    "/master/clients/{}",
                    reader["id"].as_str().unwrap()
                ));
            }
            forget_sign_ins(setup);
        }
        Part::Cluster => {
            let cluster = setup.cluster();
            for path in [
                "/apis/oauth.openshift.io/v1/oauthclients",
                "/api/v1/namespaces/openshift-config/secrets",
                "/api/v1/namespaces/openshift-config/configmaps",
                "/api/v1/namespaces",
            ] {
                for item in list(setup, &format!("{path}?{SELECTOR}")) {
                    let name = item["metadata"]["name"].as_str().unwrap();
                    let (code, body) = cluster.call("DELETE", &format!("{path}/{name}"), None);
                    assert!(code < 300, "DELETE {path}/{name}: {code} {body}");
                }
            }
            let oauth = cluster.get("/apis/config.openshift.io/v1/oauths/cluster");
            let others: Vec<Value> = oauth["spec"]["identityProviders"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["name"] != IDP)
                .cloned()
                .collect();
            cluster.merge_patch(
                "/apis/config.openshift.io/v1/oauths/cluster",
                json!({"metadata": {"annotations": {"bridgectl.io/identity-providers": null}},
                       "spec": {"identityProviders": others}}),
            );
        }
        Part::App => {
            support::podman(&["rm", "-f", "-t", "0", &setup.app_container]);
            support::podman(&["rmi", &format!("localhost/{}:test", setup.app_container)]);
        }
        Part::KeycloakContainer => {
            // The container and the volume with its database: a new one starts empty.
            support::podman(&["rm", "-f", "-t", "0", &setup.bed.container]);
            let volume = format!("{}-data", setup.bed.container);
            support::podman(&["volume", "rm", "-f", &volume]);
            forget_sign_ins(setup);
        }
    }
}

/// A new Keycloak user has a new id, and OpenShift's claim mapping refuses a second
/// identity for the same user name: an operator removes the old sign-ins (as `clean` does).
fn forget_sign_ins(setup: &Setup) {
    let cluster = setup.cluster();
    for identity in list(setup, "/apis/user.openshift.io/v1/identities") {
        if identity["providerName"] != IDP {
            continue;
        }
        let name = identity["metadata"]["name"].as_str().unwrap();
        cluster.call(
            "DELETE",
            &format!("/apis/user.openshift.io/v1/identities/{name}"),
            None,
        );
        if let Some(user) = identity["user"]["name"].as_str() {
            cluster.call(
                "DELETE",
                &format!("/apis/user.openshift.io/v1/users/{user}"),
                None,
            );
        }
    }
}

fn list(setup: &Setup, path: &str) -> Vec<Value> {
    setup.cluster().get(path)["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// After the run that followed a kill: a second run changes nothing, every object exists
/// once, nothing half-written is left in the state directory, and `verify` passes.
/// Returns the number of role bindings, which later rounds must match.
#[track_caller]
fn converged(setup: &Setup, point: &str, bindings: Option<usize>) -> usize {
    setup.run(&["all"]).assert_all_unchanged(&format!(
        "after kill point {point}, a second all still changes things"
    ));

    let keycloak = setup.keycloak();
    let realms = keycloak.get("");
    assert_eq!(count(&realms, "realm", REALM), 1, "{point}");
    let clients = keycloak.get(&format!("/{REALM}/clients"));
    for client in ["third-party-app", "ocp-oauth"] {
        assert_eq!(count(&clients, "clientId", client), 1, "{point}: {client}");
    }
    for client in clients.as_array().unwrap() {
        let mappers: Vec<&str> = client["protocolMappers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["name"].as_str())
            .collect();
        let unique: BTreeSet<&&str> = mappers.iter().collect();
        assert_eq!(unique.len(), mappers.len(), "{point}: {mappers:?}");
    }
    let users = keycloak.get(&format!("/{REALM}/users?max=1000"));
    assert_eq!(users.as_array().unwrap().len(), 3, "{point}: {users}");
    for user in ["user-a", "user-b", "user-c"] {
        assert_eq!(count(&users, "username", user), 1, "{point}: {user}");
    }

    let cluster = setup.cluster();
    let providers = cluster.identity_provider_names();
    assert_eq!(
        providers.iter().filter(|n| *n == IDP).count(),
        1,
        "{point}: {providers:?}"
    );
    for (path, expected) in [
        ("/apis/oauth.openshift.io/v1/oauthclients", 1),
        ("/api/v1/namespaces/openshift-config/secrets", 1),
        ("/api/v1/namespaces", 3),
    ] {
        let found = list(setup, &format!("{path}?{SELECTOR}"));
        assert_eq!(found.len(), expected, "{point}: {path}");
    }
    let found = list(
        setup,
        &format!("/apis/rbac.authorization.k8s.io/v1/rolebindings?{SELECTOR}"),
    );
    let keys: BTreeSet<String> = found
        .iter()
        .map(|b| {
            format!(
                "{}/{}/{}",
                b["metadata"]["namespace"], b["roleRef"]["name"], b["subjects"]
            )
        })
        .collect();
    assert_eq!(
        keys.len(),
        found.len(),
        "{point}: a binding twice: {keys:#?}"
    );
    if let Some(expected) = bindings {
        assert_eq!(found.len(), expected, "{point}: {keys:#?}");
    }

    for name in [&setup.bed.container, &setup.app_container] {
        let out = support::podman(&[
            "ps",
            "-a",
            "--filter",
            &format!("name=^{name}$"),
            "--format",
            "{{.ID}}",
        ]);
        let ids = String::from_utf8_lossy(&out.stdout).lines().count();
        assert_eq!(ids, 1, "{point}: containers named {name}");
    }
    let leftovers: Vec<String> = support::files_under(&setup.bed.state_dir())
        .into_iter()
        .map(|p| p.display().to_string())
        .filter(|p| p.contains(".tmp-") || p.contains(".new-"))
        .collect();
    assert!(leftovers.is_empty(), "{point}: {leftovers:?}");

    setup.assert_verified();
    found.len()
}

fn count(list: &Value, field: &str, value: &str) -> usize {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|item| item[field] == value)
        .count()
}

#[test]
fn two_runs_at_once_one_waits_nothing_is_corrupted() {
    let setup = Setup::new("twice");
    setup.run(&["sandbox", "up"]).assert_ok();
    let lock = setup.bed.state_dir().join(".lock");

    let first = setup.spawn(&["all"]);
    let holder = format!("pid {}", first.id());
    let started = Instant::now();
    while std::fs::read_to_string(&lock).unwrap_or_default() != holder {
        assert!(
            started.elapsed().as_secs() < 60,
            "the first run never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The first run now starts Keycloak (tens of seconds): the second surely meets the lock.
    let second = setup.spawn(&["all"]);
    let first = support::to_run(first.wait_with_output().unwrap());
    let second = support::to_run(second.wait_with_output().unwrap());
    first.assert_ok();
    second.assert_ok();
    assert!(
        second
            .all()
            .contains("waiting for another bridgectl run on"),
        "{}",
        second.all()
    );
    assert!(second.all().contains(&holder), "{}", second.all());
    second.assert_all_unchanged("the second run finds the first one's work complete");
    assert!(
        first.outcomes().iter().any(|o| o == "created"),
        "{}",
        first.all()
    );

    // Nothing corrupted: the state parses and is the one the chain runs on.
    let ca = setup.bed.read_state("tls/ca.crt");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    for secret in std::fs::read_dir(setup.bed.state_dir().join("secrets")).unwrap() {
        let secret = secret.unwrap();
        let value = std::fs::read_to_string(secret.path()).unwrap();
        assert!(
            !value.trim().is_empty() && !value.trim().contains('\n'),
            "{:?}",
            secret.file_name()
        );
    }
    converged(&setup, "two runs at once", Some(6));
}
