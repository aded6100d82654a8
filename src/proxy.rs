//! Proxies from the environment, as enterprise bastions set them (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `NO_PROXY`, upper or lower case). reqwest honours them by itself (the
//! Keycloak admin client, `verify`); the cluster client and the demo app's container
//! need them passed on.

/// The proxy for the cluster at `server`: the kubeconfig's `proxy-url` when it names
/// one, else the environment's rule for that URL (curl's, `NO_PROXY` included). kube
/// reads `HTTPS_PROXY` itself but compares `NO_PROXY` with the proxy's own address, so a
/// server that `NO_PROXY` exempts would still be proxied.
pub fn for_cluster(server: &http::Uri, from_kube: Option<http::Uri>) -> Option<http::Uri> {
    let from_env = || {
        ["HTTPS_PROXY", "https_proxy"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    };
    match from_kube {
        // kube took it from the kubeconfig, not from the environment: it stands.
        Some(proxy)
            if from_env()
                .is_none_or(|env| env.parse::<http::Uri>().ok() != Some(proxy.clone())) =>
        {
            Some(proxy)
        }
        _ => hyper_util::client::proxy::matcher::Matcher::from_env()
            .intercept(server)
            .map(|intercept| intercept.uri().clone()),
    }
}

/// The proxy variables set in this environment, for the demo app's container (its
/// calls to Keycloak and the cluster take the same way out as bridgectl's).
pub fn environment() -> Vec<(String, String)> {
    const NAMES: [&str; 6] = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ];
    NAMES
        .iter()
        .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?)))
        .collect()
}
