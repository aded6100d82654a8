//! Enterprise networks: a forwarding proxy named by `HTTPS_PROXY` carries every call to
//! the cluster and to Keycloak, `NO_PROXY` exempts the hosts it names (kube alone would
//! still proxy them), and a kubeconfig's `proxy-url` is honoured without any environment.

use crate::support::proxy::Proxy;
use crate::support::sim::Sim;
use crate::support::{self, Run, TEST_OAUTH_URL, realm, to_run};

fn authority(url: &str) -> String {
    url.trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string()
}

/// step2 on the shared Keycloak, with extra environment.
fn step2_with(realm: &str, env: &[(&str, &str)]) -> Run {
    let keycloak = support::default_keycloak();
    let realm_flag = format!("keycloak.realm={realm}");
    let oauth_flag = format!("openshift.oauth_url={TEST_OAUTH_URL}");
    let mut cmd = keycloak.command(&["--set", &realm_flag, "--set", &oauth_flag, "step2"]);
    cmd.envs(env.iter().copied());
    to_run(cmd.output().expect("run bridgectl"))
}

#[test]
fn every_call_takes_the_environments_proxy_and_no_proxy_exempts() {
    let sim = Sim::start(&[]);
    let proxy = Proxy::start();
    let api = authority(&sim.api_url);
    let keycloak = authority(&support::default_keycloak().base_url());
    let realm = realm("proxied");

    // Through the proxy: the cluster (kube) and Keycloak's admin API (reqwest).
    let mut bed = sim.bed("proxied");
    bed.extra_env
        .push(("HTTPS_PROXY".into(), proxy.url.clone()));
    let run = bed.run(&["step3"]);
    run.assert_ok();
    assert!(
        proxy.targets().contains(&api),
        "the cluster was reached without the proxy: {:?}\n{}",
        proxy.targets(),
        run.all()
    );
    step2_with(&realm, &[("HTTPS_PROXY", &proxy.url)]).assert_ok();
    assert!(
        proxy.targets().contains(&keycloak),
        "Keycloak was reached without the proxy: {:?}",
        proxy.targets()
    );

    // NO_PROXY names the loopback address: nothing more goes through the proxy, and the
    // second runs still converge (nothing to change).
    let before = proxy.targets().len();
    bed.extra_env.push(("NO_PROXY".into(), "127.0.0.1".into()));
    bed.run(&["step3"]).assert_all_unchanged("step3");
    step2_with(
        &realm,
        &[("HTTPS_PROXY", &proxy.url), ("NO_PROXY", "127.0.0.1")],
    )
    .assert_all_unchanged("step2");
    assert_eq!(
        proxy.targets().len(),
        before,
        "NO_PROXY=127.0.0.1 was not honoured: {:?}",
        proxy.targets()
    );

    // A proxy that does not answer, named by HTTPS_PROXY but exempted: no effect.
    bed.extra_env.retain(|(name, _)| name != "HTTPS_PROXY");
    bed.extra_env
        .push(("HTTPS_PROXY".into(), "http://127.0.0.1:9".into()));
    bed.run(&["step3"]).assert_all_unchanged("step3");
}

#[test]
fn the_kubeconfigs_proxy_url_is_honoured() {
    let sim = Sim::start(&[]);
    let proxy = Proxy::start();
    let mut bed = sim.bed("proxy-url");
    let text = std::fs::read_to_string(&sim.kubeconfig).unwrap();
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    doc["clusters"][0]["cluster"]["proxy-url"] = serde_yaml::Value::String(proxy.url.clone());
    let kubeconfig = bed.dir.path().join("kubeconfig-with-proxy");
    std::fs::write(&kubeconfig, serde_yaml::to_string(&doc).unwrap()).unwrap();
    bed.extra_env = vec![("KUBECONFIG".into(), kubeconfig.display().to_string())];

    bed.run(&["step5"]).assert_ok();
    assert!(
        proxy.targets().contains(&authority(&sim.api_url)),
        "{:?}",
        proxy.targets()
    );
}
