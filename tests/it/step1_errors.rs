//! step1 with bad input: each failure is clear, names the fix, leaks nothing and panics never.

use std::net::TcpListener;
use std::process::Command;

use crate::support::{Bed, to_run};

#[test]
fn no_container_engine_lists_what_was_tried_and_how_to_start_podman() {
    let bed = Bed::new("noengine");
    let empty_runtime = bed.dir.path().join("runtime");
    std::fs::create_dir(&empty_runtime).unwrap();
    // Hide this machine's Podman socket in a private mount namespace.
    let script = format!(
        "mount -t tmpfs none /run/podman && exec \"$0\" --config {} --state-dir {} step1",
        bed.config_path().display(),
        bed.state_dir().display()
    );
    let run = to_run(
        Command::new("unshare")
            .args(["-m", "sh", "-c", &script, env!("CARGO_BIN_EXE_bridgectl")])
            .env_remove("CONTAINER_HOST")
            .env_remove("DOCKER_HOST")
            .env("XDG_RUNTIME_DIR", &empty_runtime)
            .env("CI", "true")
            .output()
            .unwrap(),
    );
    run.assert_failed()
        .assert_contains("no container engine answered")
        .assert_contains("unix:///run/podman/podman.sock")
        .assert_contains(&format!(
            "unix://{}/podman/podman.sock",
            empty_runtime.display()
        ))
        .assert_contains("unix:///var/run/docker.sock")
        .assert_contains("podman system service");
}

#[test]
fn an_explicit_engine_address_is_the_only_one_tried() {
    let mut bed = Bed::new("explicit");
    bed.extra_env = vec![(
        "CONTAINER_HOST".into(),
        "unix:///nonexistent/podman.sock".into(),
    )];
    let run = bed.run(&["step1"]);
    run.assert_failed()
        .assert_contains("unix:///nonexistent/podman.sock: no such socket");
    assert!(
        !run.all().contains("/run/podman/podman.sock:"),
        "{}",
        run.all()
    );
}

#[test]
fn an_image_that_cannot_be_pulled_is_named_and_nothing_is_left() {
    let bed = Bed::new("nopull");
    bed.write_config("  image: localhost:1/bridgectl/does-not-exist:1\n");
    let run = bed.run(&["step1"]);
    run.assert_failed()
        .assert_contains("cannot pull image localhost:1/bridgectl/does-not-exist:1")
        .assert_contains("keycloak.image");
    assert_eq!(bed.container_id(), None);
}

#[test]
fn a_host_port_in_use_is_refused_before_anything_is_created() {
    let bed = Bed::new("portbusy");
    let _holder = TcpListener::bind(("127.0.0.1", bed.port)).unwrap();
    let run = bed.run(&["step1"]);
    run.assert_failed()
        .assert_contains(&format!(
            "host port {} on 127.0.0.1 is already in use",
            bed.port
        ))
        .assert_contains("keycloak");
    assert_eq!(bed.container_id(), None, "no half-made container");
}

#[test]
fn invalid_config_values_and_unknown_keys_are_named() {
    let bed = Bed::new("badconfig");
    bed.write_config("  https_port: 70000\n");
    let run = bed.run(&["step1"]);
    run.assert_failed()
        .assert_contains("keycloak.https_port")
        .assert_contains(&bed.config_path().display().to_string());

    bed.write_config("  colour: blue\n");
    bed.run(&["step1"])
        .assert_failed()
        .assert_contains("keycloak.colour: unknown field `colour`");
    assert!(
        !bed.state_dir().exists(),
        "a bad config must not touch the state"
    );
}

#[test]
fn keycloak_that_never_becomes_ready_times_out_with_its_last_log_lines() {
    let bed = Bed::new("slow");
    bed.write_config("  ready_timeout_secs: 2\n");
    let run = bed.run(&["step1"]);
    run.assert_failed()
        .assert_contains("Keycloak did not become ready within 2s")
        .assert_contains(&format!("Last lines of container {}", bed.container))
        .assert_contains("ready_timeout_secs");
    let password = bed.secret("keycloak-admin-password");
    assert!(!run.all().contains(&password), "admin password leaked");
}
