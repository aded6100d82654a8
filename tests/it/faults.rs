//! Faults on the way: the cluster API answering 409 or 500 now and then or dropping the
//! connection, a cluster that keeps failing, Keycloak restarted in the middle of step2, and
//! a Keycloak slower to start than bridgectl is told to wait. bridgectl retries with bounded
//! backoff and succeeds, or stops with an error that says what to do; the next run always
//! finishes the job.

use std::time::{Duration, Instant};

use crate::support::sim::Sim;
use crate::support::{self, Bed};
use serde_json::{Value, json};

fn inject(sim: &Sim, fault: Value) {
    let (status, body) = sim.call("POST", "/_sim/faults", Some(fault));
    assert!(status < 300, "{body}");
}

/// Statuses the simulator answered, as "METHOD path status" lines.
fn answered(sim: &Sim) -> Vec<String> {
    sim.get("/_sim/requests")["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {}", r["method"], r["path"], r["status"]))
        .collect()
}

fn faults_left(sim: &Sim) -> usize {
    sim.get("/_sim/faults")["faults"].as_array().unwrap().len()
}

#[test]
fn cluster_answers_409_500_or_drops_the_connection_a_few_times_and_steps_still_converge() {
    let sim = Sim::start(&[]);
    let bed = sim.bed("flaky");
    sim.reset_counts();
    for fault in [
        json!({"method": "PUT", "path_prefix": "/apis/config.openshift.io/v1/oauths", "status": 409, "count": 2}),
        json!({"method": "POST", "path_prefix": "/apis/oauth.openshift.io/v1/oauthclients", "status": 500, "count": 2}),
        json!({"method": "GET", "path_prefix": "/api/v1/namespaces/openshift-config/secrets", "close_connection": true, "count": 2}),
        json!({"method": "POST", "path_prefix": "/apis/project.openshift.io/v1/projectrequests", "close_connection": true, "count": 1}),
        json!({"method": "POST", "path_prefix": "/apis/rbac.authorization.k8s.io/v1/namespaces/project-c/rolebindings", "status": 503, "count": 2}),
        json!({"method": "GET", "path_prefix": "/apis/rbac.authorization.k8s.io/v1/rolebindings", "status": 429, "count": 1}),
    ] {
        inject(&sim, fault);
    }

    for step in ["step3", "step5"] {
        let run = bed.run(&[step]);
        run.assert_ok();
        assert!(
            run.outcomes().iter().all(|o| o == "created"),
            "{step}:\n{}",
            run.all()
        );
    }
    assert_eq!(faults_left(&sim), 0, "every injected fault was met");
    let log = answered(&sim);
    for status in ["409", "500", "503", "429"] {
        assert!(
            log.iter().any(|l| l.ends_with(status)),
            "no {status} answered: {log:#?}"
        );
    }

    // Exactly one of everything, and a run after it has nothing left to do.
    let bindings = sim.get("/apis/rbac.authorization.k8s.io/v1/rolebindings")["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "bridgectl")
        .count();
    assert_eq!(bindings, 6);
    let providers = sim.identity_provider_names();
    assert_eq!(providers.iter().filter(|n| *n == "keycloak").count(), 1);
    for step in ["step3", "step5"] {
        bed.run(&[step]).assert_all_unchanged(step);
    }
}

/// An aggregated API server that is down answers 503 to everything. One retry policy
/// (bridgectl's, `Backoff::SERVER`: 6 attempts, about 10 s per call; kube's own retry is
/// off) gives up on the first object and names it and the status.
#[test]
fn a_cluster_answering_503_to_everything_fails_within_the_bound_naming_the_object() {
    let sim = Sim::start(&[]);
    let bed = sim.bed("unavailable");
    sim.reset_counts();
    inject(
        &sim,
        json!({"path_prefix": "/api", "status": 503, "count": 100000, "message": "the server is currently unable to handle the request"}),
    );
    let started = Instant::now();
    let failed = bed.run(&["step5"]);
    let took = started.elapsed();
    // The first call step5 makes is the API discovery; the error names it.
    failed
        .assert_failed()
        .assert_contains("API discovery: the cluster answered 503")
        .assert_contains("gave up after 6 attempts");
    let mut per_request = std::collections::BTreeMap::<String, usize>::new();
    for line in answered(&sim).into_iter().filter(|l| l.ends_with("503")) {
        *per_request.entry(line).or_default() += 1;
    }
    let most = per_request.values().copied().max().unwrap_or(0);
    assert_eq!(
        most, 6,
        "each request is tried exactly Backoff::SERVER.attempts times (one retry layer, not two): {per_request:#?}"
    );
    eprintln!("503 everywhere: step5 gave up after {took:?}");
    assert!(took < Duration::from_secs(60), "bounded: {took:?}");
}

#[test]
fn a_cluster_that_keeps_failing_stops_the_step_with_the_object_named_and_the_next_run_converges() {
    let sim = Sim::start(&[]);
    let bed = sim.bed("broken");
    // project-b never gets through: 500 to every request about it.
    inject(
        &sim,
        json!({"path_prefix": "/api/v1/namespaces/project-b", "status": 500, "count": 1000}),
    );
    let started = Instant::now();
    let failed = bed.run(&["step5"]);
    let took = started.elapsed();
    failed
        .assert_failed()
        .assert_contains("project project-b")
        .assert_contains("500");
    assert!(took < Duration::from_secs(60), "bounded: {took:?}");
    assert!(!failed.all().contains("Bearer"), "{}", failed.all());

    sim.call("DELETE", "/_sim/faults", None);
    let next = bed.run(&["step5"]);
    next.assert_ok();
    let namespaces = sim.get("/api/v1/namespaces")["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str().map(String::from))
        .filter(|n| n.starts_with("project-"))
        .collect::<Vec<_>>();
    assert_eq!(namespaces.len(), 3, "{namespaces:?}");
    bed.run(&["step5"])
        .assert_all_unchanged("step5 after the repair");
}

/// 150 users: enough that step2 is still at work when Keycloak goes down.
fn many_users() -> String {
    let mut text = String::from("users:\n");
    for n in 0..150 {
        text.push_str(&format!(
            "  - username: load-{n:03}\n    first_name: Load\n    last_name: Test{n}\n    \
             email: load-{n:03}@example.com\n"
        ));
    }
    text
}

#[test]
fn keycloak_restarted_during_step2_and_a_slow_start() {
    let bed = Bed::new("restart");
    // A Keycloak slower to answer than bridgectl was told to wait: a clear error naming the
    // setting, the container left to finish starting, and the next step1 waits it out.
    bed.write_config("  ready_timeout_secs: 3\n");
    let slow = bed.run(&["step1"]);
    slow.assert_failed()
        .assert_contains("keycloak.ready_timeout_secs");
    assert!(bed.container_id().is_some(), "the container stays");
    bed.write_config("");
    std::fs::write(
        bed.config_path(),
        format!(
            "{}openshift:\n  oauth_url: {}\n{}",
            std::fs::read_to_string(bed.config_path()).unwrap(),
            support::TEST_OAUTH_URL,
            many_users()
        ),
    )
    .unwrap();
    let waited = bed.run(&["step1"]);
    waited.assert_ok();
    assert_eq!(
        waited
            .outcome_of(&format!("container/{}", bed.container))
            .as_deref(),
        Some("unchanged"),
        "{}",
        waited.all()
    );

    // Keycloak restarted while step2 creates 150 users.
    let mut step2 = bed.command(&["step2"]);
    let child = step2
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let admin = bed.admin();
    let started = Instant::now();
    loop {
        let realm = admin
            .client
            .get(format!("{}/admin/realms/demo/users/count", bed.base_url()))
            .bearer_auth(&admin.token)
            .send()
            .ok()
            .and_then(|r| r.json::<Value>().ok());
        if realm.and_then(|v| v.as_u64()).is_some_and(|n| n >= 10) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "step2 never got going"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let restart = support::podman(&["restart", "-t", "0", &bed.container]);
    assert!(restart.status.success(), "{restart:?}");
    let during = support::to_run(child.wait_with_output().unwrap());
    during.assert_no_panic();
    if during.status != 0 {
        // Gave up after its bounded wait: the error says what happened and what to do.
        let text = during.all();
        assert!(
            text.contains("Run the step again") || text.contains("cannot reach Keycloak"),
            "{text}"
        );
    }
    eprintln!(
        "step2 across a restart: exit {}\n{}",
        during.status,
        during.all()
    );

    // Whatever it managed, the next run finishes it: every user once, each can sign in.
    // (step1 waits for Keycloak to answer again, as `all` would.)
    bed.run(&["step1"]).assert_ok();
    let next = bed.run(&["step2"]);
    next.assert_ok();
    let admin = bed.admin();
    let users = admin.get("/demo/users?max=1000");
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names.len(), 150, "no user twice, none missing");
    for user in ["load-000", "load-075", "load-149"] {
        let token = bed.user_token("demo", user);
        assert_eq!(token.status(), 200, "{user} signs in");
    }
    bed.run(&["step2"])
        .assert_all_unchanged("step2 after the restart");
}
