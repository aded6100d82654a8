//! A real kubectl (the kit's, built from the same Kubernetes module as its API server)
//! against the sandbox: discovery, get, create (protobuf bodies), label, apply (OpenAPI),
//! delete, `auth can-i` and `auth whoami` (access reviews, impersonation) and server-side
//! dry runs. Each command also runs against the real API server, and both must answer
//! alike: the same exit code and output, and on failure the same error.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::kube::real_kube;
use crate::support::setup::Setup;

/// One kubectl invocation's outcome.
#[derive(Debug, PartialEq)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    /// Only compared when the command fails: warnings may differ, errors may not.
    error: String,
}

fn kubectl(mut command: Command, args: &[&str], stdin: Option<&str>) -> Outcome {
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("kubectl runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let success = output.status.success();
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        error: if success {
            String::new()
        } else {
            String::from_utf8_lossy(&output.stderr).into_owned()
        },
    }
}

fn config_map(ns: &str, name: &str, color: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\ndata:\n  color: {color}\n"
    )
}

/// The session a consultant might type against the sandbox, step by step: (args, stdin).
fn session(ns: &str, tag: &str) -> Vec<(Vec<String>, Option<String>)> {
    let step = |line: String| line.split(' ').map(String::from).collect::<Vec<_>>();
    let label = format!("kubectl-test={tag}");
    let dry = format!("{ns}-dry");
    vec![
        (step(format!("create namespace {ns}")), None),
        (
            step(format!(
                "create configmap settings -n {ns} --from-literal=color=blue"
            )),
            None,
        ),
        (
            step(format!(
                "create secret generic creds -n {ns} --from-literal=token=abc"
            )),
            None,
        ),
        (
            step(format!(
                "create rolebinding viewers -n {ns} --clusterrole=view --user=user-a"
            )),
            None,
        ),
        (step(format!("create namespace {ns}")), None),
        (
            step(format!(
                "get configmap settings -n {ns} -o jsonpath={{.data.color}}"
            )),
            None,
        ),
        (step(format!("get secrets -n {ns} -o name")), None),
        (step(format!("get configmap missing -n {ns}")), None),
        (step(format!("label namespace {ns} {label}")), None),
        (step(format!("get namespaces -l {label} -o name")), None),
        // Client-side apply: created, unchanged, configured; then server-side apply.
        (
            step("apply -f -".into()),
            Some(config_map(ns, "applied", "red")),
        ),
        (
            step("apply -f -".into()),
            Some(config_map(ns, "applied", "red")),
        ),
        (
            step("apply -f -".into()),
            Some(config_map(ns, "applied", "green")),
        ),
        (
            step(format!(
                "get configmap applied -n {ns} -o jsonpath={{.data.color}}"
            )),
            None,
        ),
        (
            step("apply --server-side -f -".into()),
            Some(config_map(ns, "server-applied", "blue")),
        ),
        // Strict field validation refuses an unknown field.
        (
            step("create -f -".into()),
            Some(config_map(ns, "typo", "blue").replace("\ndata:", "\ndta:")),
        ),
        // Access reviews, for the admin and (impersonated) for user-a.
        (step("auth can-i create namespaces".into()), None),
        (
            step(format!("auth can-i list configmaps -n {ns} --as user-a")),
            None,
        ),
        (
            step(format!("auth can-i delete configmaps -n {ns} --as user-a")),
            None,
        ),
        (
            step(format!("auth can-i get secrets -n {ns} --as user-a")),
            None,
        ),
        (
            step("auth whoami --as user-a -o jsonpath={.status.userInfo.username}".into()),
            None,
        ),
        (
            step(format!("get configmaps -n {ns} --as user-b -o name")),
            None,
        ),
        // Server-side dry runs change nothing.
        (
            step(format!("create namespace {dry} --dry-run=server")),
            None,
        ),
        (step(format!("get namespace {dry} -o name")), None),
        (
            step(format!(
                "delete configmap settings -n {ns} --dry-run=server"
            )),
            None,
        ),
        (
            step("apply --dry-run=server -f -".into()),
            Some(config_map(ns, "applied", "black")),
        ),
        (
            step(format!(
                "get configmap applied -n {ns} -o jsonpath={{.data.color}}"
            )),
            None,
        ),
        (
            step(format!("get configmap settings -n {ns} -o name")),
            None,
        ),
        // Delete.
        (step(format!("delete configmap settings -n {ns}")), None),
        (step(format!("get configmaps -n {ns} -o name")), None),
        (step(format!("delete namespace {ns} --wait=false")), None),
    ]
}

#[test]
fn a_real_kubectl_works_on_the_sandbox_as_on_a_real_api_server() {
    let Some(kube) = real_kube() else { return };
    let setup = Setup::new("kubectl");
    setup.run(&["sandbox", "up"]).assert_ok();
    let sandbox_config = setup.bed.state_dir().join("sandbox/kubeconfig");
    let on_sandbox = || kube.kubectl_with(&sandbox_config);
    let on_real = || kube.kubectl("admin");

    // The sandbox claims the release it is checked against: kubectl sees no skew.
    let mut version = kube.kubectl_with(&sandbox_config);
    let version = version.arg("version").output().unwrap();
    assert!(version.status.success(), "{version:?}");
    assert!(
        String::from_utf8_lossy(&version.stdout).contains("Server Version: v1.36.3"),
        "{version:?}"
    );
    assert_eq!(String::from_utf8_lossy(&version.stderr), "", "no warning");

    // Discovery: the sandbox lists its kinds, built-in and OpenShift's.
    let resources = kubectl(on_sandbox(), &["api-resources", "-o", "name"], None);
    assert_eq!(resources.code, Some(0), "{resources:?}");
    for kind in [
        "namespaces",
        "configmaps",
        "secrets",
        "rolebindings.rbac.authorization.k8s.io",
        "selfsubjectaccessreviews.authorization.k8s.io",
        "oauths.config.openshift.io",
        "projects.project.openshift.io",
    ] {
        assert!(
            resources.stdout.lines().any(|line| line == kind),
            "{kind} not discovered: {}",
            resources.stdout
        );
    }
    let tag = format!("{}", std::process::id());
    let ns = format!("kubectl-{tag}");
    let mut differing = Vec::new();
    for (args, stdin) in session(&ns, &tag) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let real = kubectl(on_real(), &args, stdin.as_deref());
        let sandbox = kubectl(on_sandbox(), &args, stdin.as_deref());
        println!(
            "kubectl {}: {:?} {}",
            args.join(" "),
            real.code,
            real.stdout.trim()
        );
        if real != sandbox {
            differing.push(format!(
                "kubectl {}\n  real:    {real:?}\n  sandbox: {sandbox:?}",
                args.join(" ")
            ));
        }
    }
    assert!(
        differing.is_empty(),
        "the sandbox answered kubectl differently:\n{}",
        differing.join("\n")
    );
    // OpenAPI: kubectl explains the sandbox's kinds from its documents.
    let explain = kubectl(on_sandbox(), &["explain", "configmap.data"], None);
    assert_eq!(explain.code, Some(0), "{explain:?}");
    assert!(
        explain.stdout.contains("KIND:") && explain.stdout.contains("ConfigMap"),
        "{explain:?}"
    );
    // The same from the protobuf-encoded OpenAPI v2 document.
    let explain_v2 = kubectl(
        on_sandbox(),
        &[
            "explain",
            "configmap.data",
            "--output",
            "plaintext-openapiv2",
        ],
        None,
    );
    assert_eq!(explain_v2.code, Some(0), "{explain_v2:?}");
    assert!(explain_v2.stdout.contains("ConfigMap"), "{explain_v2:?}");
}
