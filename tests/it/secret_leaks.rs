//! No secret leaks: every command at the highest verbosity, successes and failures, with
//! all it printed, the status JSON, the demo app's and the simulator's logs searched for
//! every secret in the state directory. Only `credentials`, whose job is to print them,
//! may show any (and must: that proves the search finds what it looks for). The state
//! directory is private and the certificate keys are not world-readable anywhere.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::setup::Setup;
use crate::support::{self, files_under};

/// Every secret the state directory holds: the generated values, the private keys (their
/// base64 body), and the simulator's admin token from the sandbox kubeconfig.
fn secrets_in(state: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(state.join("secrets")).unwrap() {
        let path = entry.unwrap().path();
        let value = std::fs::read_to_string(&path).unwrap().trim().to_string();
        found.push((path.display().to_string(), value));
    }
    for path in files_under(state) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if path.extension().is_some_and(|e| e == "key") || text.contains("PRIVATE KEY-----") {
            // Any full line of the key's body is enough to find a leak of it.
            for line in text
                .lines()
                .filter(|l| !l.starts_with("-----") && l.len() >= 40)
            {
                found.push((path.display().to_string(), line.to_string()));
            }
        }
    }
    let kubeconfig = std::fs::read_to_string(state.join("sandbox/kubeconfig")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&kubeconfig).unwrap();
    let token = doc["users"][0]["user"]["token"].as_str().unwrap();
    found.push(("sandbox/kubeconfig token".into(), token.to_string()));
    assert!(found.len() >= 10, "{found:?}");
    found
}

/// Which secrets appear in `text`, as "where: which file".
fn leaks(text: &str, secrets: &[(String, String)]) -> Vec<String> {
    secrets
        .iter()
        .filter(|(_, value)| text.contains(value.as_str()))
        .map(|(file, _)| file.clone())
        .collect()
}

#[test]
fn no_command_prints_or_logs_a_secret_and_the_state_is_private() {
    let setup = Setup::new("leaks");
    let mut captured: Vec<(String, String)> = Vec::new();
    let mut run = |args: &[&str], succeeds: Option<bool>| {
        let mut full = vec!["-vv"];
        full.extend_from_slice(args);
        let result = setup.run(&full);
        result.assert_no_panic();
        match succeeds {
            Some(true) => {
                result.assert_ok();
            }
            Some(false) => {
                result.assert_failed();
            }
            None => {}
        }
        captured.push((args.join(" "), result.all()));
    };

    // Failures before anything exists.
    run(&["step5"], Some(false));
    run(
        &["--kubeconfig", "/nonexistent/kubeconfig", "step3"],
        Some(false),
    );
    run(&["--set", "keycloak.https_port=0", "all"], Some(false));
    run(&["verify"], Some(false));

    run(&["sandbox", "up"], Some(true));
    run(&["--dry-run", "all"], Some(true));
    run(&["all"], Some(true));
    run(&["all"], Some(true));
    for step in ["step1", "step2", "step3", "step4", "step5"] {
        run(&[step], Some(true));
        run(&["--dry-run", step], Some(true));
    }
    run(&["status"], Some(true));
    run(&["status", "--output", "json"], Some(true));
    run(&["status", "--deep"], Some(true));
    run(&["verify"], Some(true));
    run(&["config"], Some(true));
    run(&["--dry-run", "clean", "--yes"], Some(true));

    // Failures with everything in place: a wrong admin user, a port taken, Keycloak down.
    // (bridgectl signs in as its admin client first: with that secret wrong as well, the
    // admin user's refused password sign-in is what fails.)
    let client_secret = setup.bed.state_dir().join("secrets/client-bridgectl-admin");
    let kept = std::fs::read(&client_secret).unwrap();
    std::fs::write(&client_secret, "wrong-client-secret").unwrap();
    run(
        &["--set", "keycloak.admin_username=intruder", "step2"],
        Some(false),
    );
    std::fs::write(&client_secret, kept).unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    run(
        &["--set", &format!("app.port={port}"), "step4"],
        Some(false),
    );
    drop(taken);
    support::podman(&["stop", "-t", "2", &setup.bed.container]);
    run(&["step2"], Some(false));
    run(&["status", "--output", "json"], Some(false));
    run(&["status", "--deep"], Some(false));
    run(&["verify"], Some(false));
    run(&["all"], Some(true));
    run(&["verify"], Some(true));

    // Logs: the demo app's (it handled verify's sign-ins and token exchanges) and the
    // simulator's.
    let app_logs = support::podman(&["logs", &setup.app_container]);
    captured.push((
        "demo app log".into(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&app_logs.stdout),
            String::from_utf8_lossy(&app_logs.stderr)
        ),
    ));
    let sandbox = setup.bed.state_dir().join("sandbox");
    for log in files_under(&sandbox)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "log" || e == "out"))
    {
        captured.push((
            log.display().to_string(),
            std::fs::read_to_string(&log).unwrap(),
        ));
    }

    let secrets = secrets_in(&setup.bed.state_dir());
    let mut found = Vec::new();
    for (what, text) in &captured {
        for leak in leaks(text, &secrets) {
            found.push(format!("`{what}` shows the secret of {leak}"));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
    assert!(captured.len() >= 30, "{} outputs searched", captured.len());
    assert!(
        captured.iter().map(|(_, t)| t.len()).sum::<usize>() > 10_000,
        "the outputs searched are not empty"
    );

    // The search does find secrets where they are: `credentials` prints them on purpose.
    let credentials = setup.run(&["credentials"]);
    credentials.assert_ok();
    let shown = leaks(&credentials.all(), &secrets);
    assert!(
        shown.iter().any(|f| f.ends_with("keycloak-admin-password")),
        "{shown:?}"
    );
    assert!(shown.len() >= 4, "{shown:?}");

    // The state directory: directories 0700, files 0600.
    let state = setup.bed.state_dir();
    let mut loose = Vec::new();
    for path in files_under(&state) {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        if mode != 0o600 {
            loose.push(format!("{} {mode:o}", path.display()));
        }
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| d.starts_with(&state)) {
            let mode = std::fs::metadata(d).unwrap().permissions().mode() & 0o777;
            if mode != 0o700 {
                loose.push(format!("{}/ {mode:o}", d.display()));
            }
            dir = d.parent();
        }
    }
    loose.sort();
    loose.dedup();
    assert!(loose.is_empty(), "{loose:#?}");

    // Keycloak's key inside its container: readable by Keycloak's user only.
    let stat = support::podman(&[
        "exec",
        &setup.bed.container,
        "stat",
        "-c",
        "%a %U",
        "/opt/keycloak/conf/bridgectl/tls.key",
    ]);
    let stat = String::from_utf8_lossy(&stat.stdout).trim().to_string();
    let (mode, _owner) = stat.split_once(' ').expect("stat output");
    let mode = u32::from_str_radix(mode, 8).unwrap();
    assert_eq!(mode & 0o077, 0, "the key is {stat} in the container");
}
