//! Projects deleted on a real cluster stay Terminating while the namespace controller
//! removes their content; the simulator models that (here for a few seconds). `clean`
//! says which are still terminating and `clean --wait` waits for them; a second `clean`
//! meanwhile is green; step5 right after `clean` waits and then creates everything; with
//! no patience the project and the reason are named.

use std::time::Duration;

use crate::support::sim::Sim;
use serde_json::json;

const PROJECT_A: &str = "/api/v1/namespaces/project-a";

fn terminating_sim(secs: u64) -> Sim {
    Sim::start_with(move |options| options.namespace_termination = Duration::from_secs(secs))
}

#[test]
fn clean_then_step5_at_once_waits_for_the_terminating_projects() {
    let sim = terminating_sim(4);
    let bed = sim.bed("terminating");
    bed.run(&["step5"]).assert_ok();

    let clean = bed.run(&["clean", "--yes"]);
    clean
        .assert_ok()
        .assert_contains("terminating: the cluster is removing its content");
    assert_eq!(
        clean.outcome_of("project/project-a").as_deref(),
        Some("deleted")
    );
    let namespace = sim.get(PROJECT_A);
    assert_eq!(namespace["status"]["phase"], "Terminating", "{namespace}");
    assert!(namespace["metadata"]["deletionTimestamp"].is_string());

    // What the cluster answers meanwhile, as a real one does.
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "late"}, "subjects": [{"kind": "User", "name": "user-a"}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}});
    let (code, body) = sim.call(
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/project-a/rolebindings",
        Some(binding),
    );
    assert_eq!(code, 403, "{body}");
    assert!(
        body["message"].as_str().unwrap().ends_with(
            "unable to create new content in namespace project-a because it is being terminated"
        ),
        "{body}"
    );
    // A second delete is answered with success and changes nothing (as kube-apiserver 1.36
    // answers it for the namespace: tests/it/conformance.rs).
    let (code, body) = sim.call("DELETE", PROJECT_A, None);
    assert_eq!(code, 200, "{body}");

    // A second clean meanwhile: green, and deletes nothing twice.
    let again = bed.run(&["clean", "--yes"]);
    again.assert_ok();
    assert_eq!(
        again.outcome_of("project/project-a").as_deref(),
        Some("unchanged"),
        "{}",
        again.all()
    );
    again.assert_contains("terminating");

    // step5 at once: waits for the cluster, then requests every project anew.
    let step5 = bed.run(&["step5"]);
    step5
        .assert_ok()
        .assert_contains("project project-a is still terminating");
    for project in ["project-a", "project-b", "project-c"] {
        assert_eq!(
            step5.outcome_of(&format!("project/{project}")).as_deref(),
            Some("created"),
            "{}",
            step5.all()
        );
    }
    assert_eq!(sim.get(PROJECT_A)["status"]["phase"], "Active");
    bed.run(&["step5"])
        .assert_all_unchanged("step5 after the wait");
}

#[test]
fn without_patience_the_terminating_project_is_named_and_clean_wait_waits() {
    let sim = terminating_sim(3);
    let bed = sim.bed("impatient");
    bed.run(&["step5"]).assert_ok();
    bed.run(&["clean", "--yes"]).assert_ok();

    let impatient = bed.run(&["--set", "openshift.wait_timeout_secs=0", "step5"]);
    impatient
        .assert_failed()
        .assert_no_panic()
        .assert_contains("project project-a is still terminating (deleted at");
    assert!(
        !impatient.all().contains("cluster-admin"),
        "the cause is the termination, not missing rights:\n{}",
        impatient.all()
    );

    bed.run(&["clean", "--yes", "--wait"]).assert_ok();
    let (code, _) = sim.call("GET", PROJECT_A, None);
    assert_eq!(
        code, 404,
        "clean --wait returned before the project was gone"
    );
    bed.run(&["step5"]).assert_ok();
}
