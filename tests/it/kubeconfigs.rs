//! The kubeconfigs users have: `oc login` against a cluster with a publicly trusted
//! certificate (no CA in the file: the host's public roots decide, with `SSL_CERT_FILE`
//! standing a test CA in for a public one), an exec credential plugin, a client
//! certificate (a single-node cluster's installer kubeconfig), and
//! `insecure-skip-tls-verify`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::setup::Setup;
use crate::support::sim::{Sim, SimApi};
use crate::support::{Bed, Run};

/// A copy of the simulator's admin kubeconfig, changed by `edit`, as the bed's KUBECONFIG.
fn use_kubeconfig(
    sim: &Sim,
    bed: &mut Bed,
    name: &str,
    edit: impl FnOnce(&mut serde_yaml::Value),
) -> PathBuf {
    let text = std::fs::read_to_string(&sim.kubeconfig).unwrap();
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    edit(&mut doc);
    let path = bed.dir.path().join(name);
    std::fs::write(&path, serde_yaml::to_string(&doc).unwrap()).unwrap();
    bed.extra_env = vec![("KUBECONFIG".into(), path.display().to_string())];
    path
}

fn without_ca(doc: &mut serde_yaml::Value) {
    let cluster = doc["clusters"][0]["cluster"].as_mapping_mut().unwrap();
    assert!(cluster.remove("certificate-authority-data").is_some());
}

fn step5_with(bed: &Bed, env: &[(&str, &Path)]) -> Run {
    let mut cmd = bed.command(&["step5"]);
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_os_str())));
    crate::support::to_run(cmd.output().expect("run bridgectl"))
}

#[test]
fn a_kubeconfig_without_a_ca_trusts_the_hosts_public_roots() {
    let sim = Sim::start(&[]);
    let mut bed = sim.bed("public-ca");
    use_kubeconfig(&sim, &mut bed, "kubeconfig-no-ca", without_ca);

    // The simulator's CA is in no store of this host: refused, and the error says why.
    let refused = bed.run(&["step5"]);
    refused.assert_failed().assert_contains("certificate");
    assert!(
        refused.stderr.to_lowercase().contains("unknown issuer")
            || refused.stderr.contains("UnknownIssuer"),
        "the error names the certificate problem:\n{}",
        refused.all()
    );

    // The same CA as a public root (SSL_CERT_FILE, or SSL_CERT_DIR): trusted, as by `oc`.
    let roots = bed.dir.path().join("public-roots.pem");
    std::fs::write(&roots, &sim.ca_pem).unwrap();
    step5_with(&bed, &[("SSL_CERT_FILE", &roots)]).assert_ok();
    let dir = bed.dir.path().join("public-roots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sim.pem"), &sim.ca_pem).unwrap();
    step5_with(
        &bed,
        &[
            ("SSL_CERT_DIR", &dir),
            ("SSL_CERT_FILE", Path::new("/nonexistent")),
        ],
    )
    .assert_all_unchanged("step5");
}

#[test]
fn an_exec_credential_plugin_supplies_the_token() {
    let sim = Sim::start(&[]);
    let mut bed = sim.bed("exec");
    let plugin = bed.dir.path().join("credential-plugin");
    let called = bed.dir.path().join("plugin-called");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\ntouch '{}'\nprintf '%s' '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}'\n",
            called.display(),
            sim.admin_token
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o700)).unwrap();
    let command = plugin.display().to_string();
    use_kubeconfig(&sim, &mut bed, "kubeconfig-exec", |doc| {
        doc["users"][0]["user"] = serde_yaml::from_str(&format!(
            "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: {command}\n  interactiveMode: Never\n"
        ))
        .unwrap();
    });

    bed.run(&["step5"]).assert_ok();
    assert!(called.exists(), "the plugin was not run");
    bed.run(&["step5"]).assert_all_unchanged("step5");
}

/// Client certificate and key as the kubeconfig's user, in place of the token.
fn client_certificate(cert_pem: &str, key_pem: &str) -> impl FnOnce(&mut serde_yaml::Value) {
    use base64::Engine;
    let encode = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
    let user = format!(
        "client-certificate-data: {}\nclient-key-data: {}\n",
        encode(cert_pem),
        encode(key_pem)
    );
    move |doc| doc["users"][0]["user"] = serde_yaml::from_str(&user).unwrap()
}

/// A single-node cluster's installer kubeconfig: a client certificate for `system:admin`
/// (group `system:masters`) signed by the cluster's CA. One signed by another CA is
/// refused at the TLS handshake, and the error says it is the certificate.
#[test]
fn a_client_certificate_kubeconfig_is_used_and_a_foreign_one_refused() {
    let sim = Sim::start(&[]);
    let mut bed = sim.bed("client-cert");
    let read = |name: &str| std::fs::read_to_string(sim.data_dir().join(name)).unwrap();
    let (cert, key) = (read("admin-client.crt"), read("admin-client.key"));
    use_kubeconfig(
        &sim,
        &mut bed,
        "kubeconfig-cert",
        client_certificate(&cert, &key),
    );
    let first = bed.run(&["step5"]);
    first.assert_ok();
    assert!(
        first.outcomes().iter().all(|o| o == "created"),
        "{}",
        first.all()
    );
    bed.run(&["step5"]).assert_all_unchanged("step5");

    let now = time::OffsetDateTime::now_utc();
    let subject = |common_name| pki::Subject {
        organization: "system:masters",
        common_name,
        not_before: now - time::Duration::hours(1),
        not_after: now + time::Duration::days(1),
    };
    let stranger = pki::issue_ca(&subject("another CA")).unwrap();
    let forged = pki::issue_client(&stranger, &subject("system:admin")).unwrap();
    use_kubeconfig(
        &sim,
        &mut bed,
        "kubeconfig-forged",
        client_certificate(&forged.cert_pem, &forged.key_pem),
    );
    let refused = bed.run(&["step5"]);
    refused.assert_failed().assert_no_panic();
    refused.assert_contains("refused the kubeconfig's client certificate");
    // The refusal itself is not retried. Under load the server may close before the
    // client reads its alert (a reset, which is retried); the first attempt that sees the
    // alert ends it, well inside the connection backoff (~10 s).
    if let Some(took) = refused
        .stderr
        .split("attempts in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|secs| secs.parse::<f64>().ok())
    {
        assert!(
            took < 5.0,
            "a refused certificate is not retried:\n{}",
            refused.all()
        );
    }
}

/// `insecure-skip-tls-verify: true` without a CA: honoured, as by `oc`, with a warning.
#[test]
fn insecure_skip_tls_verify_is_honoured_with_a_warning() {
    let sim = Sim::start(&[]);
    let mut bed = sim.bed("insecure");
    use_kubeconfig(&sim, &mut bed, "kubeconfig-insecure", |doc| {
        without_ca(doc);
        doc["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = true.into();
    });
    let run = bed.run(&["step5"]);
    run.assert_ok()
        .assert_contains("insecure-skip-tls-verify: bridgectl does not verify");
}

/// The whole chain against a cluster whose API and OAuth server carry a "public"
/// certificate: the kubeconfig names no CA, the host's trust store (SSL_CERT_FILE) has
/// the simulator's CA, and the demo app (on `scratch`, no trust store of its own) gets the
/// public roots in its bundle: every user signs in and sees their projects.
#[test]
fn the_whole_flow_with_a_publicly_trusted_cluster() {
    let mut setup = Setup::new("public");
    setup.run(&["sandbox", "up"]).assert_ok();
    let sandbox_kubeconfig = setup.bed.state_dir().join("sandbox/kubeconfig");
    let sim = SimApi::from_kubeconfig(&sandbox_kubeconfig);
    let text = std::fs::read_to_string(&sandbox_kubeconfig).unwrap();
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    without_ca(&mut doc);
    let kubeconfig = setup.bed.dir.path().join("kubeconfig-no-ca");
    std::fs::write(&kubeconfig, serde_yaml::to_string(&doc).unwrap()).unwrap();
    let roots = setup.bed.dir.path().join("public-roots.pem");
    std::fs::write(&roots, &sim.ca_pem).unwrap();
    setup.bed.extra_env = vec![
        ("KUBECONFIG".into(), kubeconfig.display().to_string()),
        ("SSL_CERT_FILE".into(), roots.display().to_string()),
    ];

    let all = setup.run(&["all", "-v"]);
    all.assert_ok().assert_contains("public roots");
    setup.assert_verified();
}
