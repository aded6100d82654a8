//! Output for scripts and shells: `-o table|json|yaml` documents of a stable shape,
//! `--dry-run --detailed-exitcode` (0 nothing to change, 2 changes planned, 1 error),
//! `status` exit 2 when something is off and 1 when it cannot check, `-q`, completion
//! scripts, man pages and `--version` with the commit. On the simulator, no Keycloak.

use serde_json::Value;

use crate::support::sim::Sim;

fn json(run: &crate::support::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

/// The plan of step3 on a fresh cluster, as (kind, name, outcome): the golden shape. A
/// plan says `created` with `"plan": true` (the table says "would create").
const STEP3_PLAN: &[(&str, &str, &str)] = &[
    (
        "secret",
        "openshift-config/keycloak-client-secret",
        "created",
    ),
    ("configmap", "openshift-config/keycloak-ca", "created"),
    ("identityprovider", "cluster#keycloak", "created"),
    ("oauthclient", "third-party-demo", "created"),
];

#[test]
fn plans_and_reports_are_documents_and_the_exit_code_says_whether_anything_changes() {
    let sim = Sim::start(&[]);
    let bed = sim.bed("cli-output");

    // A plan: JSON with the documented keys, and exit 2 under --detailed-exitcode.
    let plan = bed.run(&["step3", "--dry-run", "--detailed-exitcode", "-o", "json"]);
    assert_eq!(plan.status, 2, "{}", plan.all());
    let document = json(&plan);
    assert_eq!(
        keys(&document),
        ["changed", "changes", "command", "plan", "summary"]
    );
    assert_eq!(document["command"], "step3");
    assert_eq!(document["plan"], true);
    assert_eq!(document["changed"], true);
    let changes: Vec<(&str, &str, &str)> = document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert!(
                keys(c)
                    .iter()
                    .all(|k| ["details", "kind", "name", "outcome"].contains(k)),
                "{c}"
            );
            (
                c["kind"].as_str().unwrap(),
                c["name"].as_str().unwrap(),
                c["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(changes, STEP3_PLAN, "{}", plan.all());

    // The same plan as YAML is the same document.
    let yaml = bed.run(&["step3", "--dry-run", "-o", "yaml"]);
    yaml.assert_ok();
    let from_yaml: Value = serde_yaml::from_str(&yaml.stdout).unwrap();
    assert_eq!(from_yaml, document);

    // Applied (exit 0 without --detailed-exitcode even though it changed things); then
    // a plan with nothing to change exits 0.
    let applied = bed.run(&["step3", "-o", "json"]);
    applied.assert_ok();
    assert_eq!(json(&applied)["plan"], false);
    let again = bed.run(&["step3", "--dry-run", "--detailed-exitcode", "-o", "json"]);
    assert_eq!(again.status, 0, "{}", again.all());
    assert_eq!(json(&again)["changed"], false);

    // An error is 1, also under --detailed-exitcode, and so is a usage error.
    let broken = bed.run(&[
        "step3",
        "--dry-run",
        "--detailed-exitcode",
        "--kubeconfig",
        "/nonexistent/kubeconfig",
    ]);
    assert_eq!(broken.status, 1, "{}", broken.all());
    let usage = bed.run(&["step3", "--detailed-exitcode"]);
    assert_eq!(usage.status, 1, "{}", usage.all());
    assert!(usage.stderr.contains("--dry-run"), "{}", usage.all());

    // -q: no table, only the exit code.
    let quiet = bed.run(&["step3", "-q"]);
    quiet.assert_ok();
    assert_eq!(quiet.stdout, "");
    let table = bed.run(&["step3"]);
    assert!(table.stdout.contains("unchanged"), "{}", table.all());

    // status: Keycloak is not running here, so something is off: exit 2, and a document.
    let status = bed.run(&["status", "-o", "yaml"]);
    assert_eq!(status.status, 2, "{}", status.all());
    let status: Value = serde_yaml::from_str(&status.stdout).unwrap();
    assert_eq!(status["command"], "status");
    assert_eq!(status["ok"], false);
    assert!(
        status["parts"].as_array().is_some_and(|p| p.len() > 3),
        "{status}"
    );
    // ...and exit 1 when it cannot check at all.
    let unchecked = bed.run(&["--config", "/nonexistent/bridgectl.yaml", "status"]);
    assert_eq!(unchecked.status, 1, "{}", unchecked.all());

    // config as a document.
    let config = bed.run(&["config", "-o", "json"]);
    config.assert_ok();
    assert!(
        json(&config)["keycloak"]["realm"].is_string(),
        "{}",
        config.all()
    );

    // all: every step in order, with its result; step2 cannot plan without Keycloak.
    let all = bed.run(&["all", "--dry-run", "-o", "json"]);
    let document = json(&all);
    assert_eq!(document["command"], "all");
    let steps: Vec<(&str, &str)> = document["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps.iter().map(|(step, _)| *step).collect::<Vec<_>>(),
        ["step1", "step2", "step3", "step4", "step5"],
        "{document}"
    );
    for step in document["steps"].as_array().unwrap() {
        match step["result"].as_str().unwrap() {
            "done" => assert!(step["changes"].is_array(), "{step}"),
            "failed" => assert!(step["error"].is_string(), "{step}"),
            "skipped" => assert!(step["needed"].is_string(), "{step}"),
            other => panic!("result {other}: {step}"),
        }
    }
    assert_eq!(
        all.status,
        if document["ok"] == true { 0 } else { 1 },
        "{}",
        all.all()
    );
}

#[test]
fn completions_man_pages_and_the_version_come_from_the_command_line_itself() {
    let sim = Sim::start(&[]);
    let bed = sim.bed("cli-shell");
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef bridgectl"),
        ("fish", "complete -c bridgectl"),
    ] {
        let script = bed.run(&["completion", shell]);
        script.assert_ok();
        assert!(script.stdout.contains(marker), "{shell}: {}", script.all());
        for word in ["step1", "status", "detailed-exitcode", "output"] {
            assert!(script.stdout.contains(word), "{shell} lacks {word}");
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let man = bed.run(&["man", "--dir", dir.path().to_str().unwrap()]);
    man.assert_ok();
    let main_page = std::fs::read_to_string(dir.path().join("bridgectl.1")).unwrap();
    assert!(
        main_page.starts_with(".ie") || main_page.contains(".TH bridgectl"),
        "{main_page}"
    );
    let step1 = std::fs::read_to_string(dir.path().join("bridgectl-step1.1")).unwrap();
    assert!(step1.contains("Keycloak"), "{step1}");

    let version = bed.run(&["--version"]);
    version.assert_ok();
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    assert!(
        version.stdout.contains(&format!("(commit {head})")),
        "{} vs {head}",
        version.all()
    );
}
