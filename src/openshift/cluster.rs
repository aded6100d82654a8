//! Reaching the cluster: kubeconfig resolution like `oc` (explicit file, KUBECONFIG,
//! ~/.kube/config, in-cluster), and errors that say what to do.

use std::future::Future;

use anyhow::{Result, anyhow};
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::config::Config;
use crate::http::distinct_causes;
use crate::retry::{Backoff, Verdict, retry};

pub struct Cluster {
    pub client: kube::Client,
    /// The API server URL, for messages.
    pub server: String,
    /// The CA certificates the kubeconfig trusts for the API server (PEM); empty when it
    /// relies on the system store.
    pub ca_pems: Vec<String>,
    /// The kubeconfig says `insecure-skip-tls-verify: true`: kube does not verify the API
    /// server's certificate (as `oc` does then).
    pub skips_tls_verify: bool,
}

pub async fn connect(config: &Config) -> Result<Cluster> {
    let options = KubeConfigOptions {
        context: config.openshift.context.clone(),
        ..Default::default()
    };
    let kube_config = match &config.openshift.kubeconfig {
        Some(path) => {
            let file = Kubeconfig::read_from(path).map_err(|err| {
                anyhow!(
                    "cannot read the kubeconfig {} ({err}); check openshift.kubeconfig / --kubeconfig",
                    path.display()
                )
            })?;
            kube::Config::from_custom_kubeconfig(file, &options)
                .await
                .map_err(|err| anyhow!("kubeconfig {}: {err}", path.display()))?
        }
        None if options.context.is_some() => kube::Config::from_kubeconfig(&options)
            .await
            .map_err(|err| anyhow!("kubeconfig context: {err}"))?,
        None => kube::Config::infer().await.map_err(|_| {
            anyhow!(
                "no cluster configured: no kubeconfig at KUBECONFIG or ~/.kube/config and not \
                 running in a cluster. Log in with `oc login`, pass --kubeconfig FILE \
                 (openshift.kubeconfig), or run `bridgectl sandbox up` to start the local \
                 OpenShift simulator, which is then used by default"
            )
        })?,
    };
    let mut kube_config = kube_config;
    // One retry policy: `Cluster::call`'s, bounded and named in its errors. kube's own
    // layer would retry 429/503/504 again inside each of our attempts.
    kube_config.default_retry = false;
    kube_config.proxy_url =
        crate::proxy::for_cluster(&kube_config.cluster_url, kube_config.proxy_url.take());
    let server = kube_config.cluster_url.to_string();
    let skips_tls_verify = kube_config.accept_invalid_certs;
    let ca_pems = kube_config
        .root_cert
        .iter()
        .flatten()
        .map(|der| crate::tls::certificate_pem(der))
        .collect();
    let client = kube::Client::try_from(kube_config)
        .map_err(|err| anyhow!("cannot build a client for the cluster at {server}: {err}"))?;
    Ok(Cluster {
        client,
        server,
        ca_pems,
        skips_tls_verify,
    })
}

/// A cluster call that failed, already explained (the object, the cause, the fix). The
/// status code lets a reconcile tell a conflict or an absence from a real failure.
#[derive(Debug)]
pub struct ClusterError {
    pub code: Option<u16>,
    message: String,
}

impl ClusterError {
    /// 409: someone else wrote first (or the object exists already).
    pub fn is_conflict(&self) -> bool {
        self.code == Some(409)
    }

    pub fn is_not_found(&self) -> bool {
        self.code == Some(404)
    }
}

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ClusterError {}

impl Cluster {
    /// One API call about `what`, made again after a transient failure (5xx, 429, a
    /// dropped or refused connection) with bounded backoff. Other answers (404, 409,
    /// 403…) come back at once, explained; the caller's reconcile decides: a create
    /// repeated after a dropped answer meets 409 and reads the object again, a replace
    /// meets a stale resourceVersion and does the same.
    pub async fn call<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T, ClusterError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let started = std::time::Instant::now();
        let mut attempts = 0;
        retry(Backoff::SERVER, |n| {
            attempts = n;
            let attempt = op();
            async move {
                attempt.await.map_err(|err| match &err {
                    kube::Error::Api(status) if status.code >= 500 || status.code == 429 => {
                        Verdict::Retry(err)
                    }
                    // A certificate the host does not trust stays untrusted: no retry.
                    _ if certificate_problem(&err).is_some() => Verdict::Fail(err),
                    kube::Error::HyperError(_) | kube::Error::Service(_) => Verdict::Retry(err),
                    _ => Verdict::Fail(err),
                })
            }
        })
        .await
        .map_err(|err| {
            let mut explained = self.explain(err, what);
            if attempts > 1 {
                explained.message.push_str(&format!(
                    " (gave up after {attempts} attempts in {:.1} s)",
                    started.elapsed().as_secs_f64()
                ));
            }
            explained
        })
    }

    /// The cluster-wide `config.openshift.io` object `kind`/`name` (`infrastructures/
    /// cluster`, `clusteroperators/authentication`); `None` when it does not exist or the
    /// cluster serves no such kind (plain Kubernetes).
    pub async fn config_object(
        &self,
        kind: &str,
        name: &str,
    ) -> Result<Option<kube::api::DynamicObject>> {
        let objects = super::resources::api(&self.client, "config.openshift.io/v1", kind, None)?;
        let what = format!("{} {name}", kind.to_lowercase());
        match self.call(&what, || objects.get_opt(name)).await {
            Ok(found) => Ok(found),
            Err(err) if err.is_not_found() => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// A write: [`Cluster::call`], then an interruption point labelled `label`.
    pub async fn write<T, F, Fut>(&self, what: &str, label: &str, op: F) -> Result<T, ClusterError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let done = self.call(what, op).await?;
        crate::crash_point::wrote(|| format!("openshift {label}"));
        Ok(done)
    }

    /// A kube error as a sentence naming the object, the cause and the fix.
    fn explain(&self, err: kube::Error, what: &str) -> ClusterError {
        let (code, message) = match err {
            kube::Error::Api(status) => (
                Some(status.code),
                match status.code {
                    401 => format!(
                        "{what}: the cluster at {} refused the kubeconfig's credentials (401 Unauthorized); \
                         log in again (`oc login`) or check --kubeconfig",
                        self.server
                    ),
                    // The namespace lifecycle's refusal is not about who is logged in.
                    403 if status.message.contains("because it is being terminated") => format!(
                        "{what}: its project is still terminating from an earlier delete, so the \
                         cluster refuses new content in it (403: {}). Run again once it is gone",
                        status.message
                    ),
                    403 => format!(
                        "{what}: forbidden (403): {}. bridgectl needs a cluster-admin login for this",
                        status.message
                    ),
                    // Not an API answer but the server's own: nothing serves that path.
                    404 if status.message.contains("page not found") => format!(
                        "{what}: the cluster at {} does not serve this kind of object (404 page \
                         not found): it is not OpenShift, or lacks that API. step3 needs \
                         OpenShift's OAuth API; step5 also works on plain Kubernetes",
                        self.server
                    ),
                    code => format!(
                        "{what}: the cluster answered {code} {}: {}",
                        status.reason, status.message
                    ),
                },
            ),
            other => match certificate_problem(&other) {
                Some(CertificateProblem::Server(problem)) => (
                    None,
                    format!(
                        "{what}: the cluster API at {} presented a certificate this host does \
                         not trust ({problem}). Add the cluster's CA to the kubeconfig \
                         (certificate-authority-data), or, for a publicly trusted certificate, \
                         to the system store (SSL_CERT_FILE / SSL_CERT_DIR)",
                        self.server
                    ),
                ),
                Some(CertificateProblem::Client(alert)) => (
                    None,
                    format!(
                        "{what}: the cluster API at {} refused the kubeconfig's client \
                         certificate ({alert}): it is not signed by a CA this cluster trusts, \
                         or it expired. Use a kubeconfig of this cluster (or `oc login`), or \
                         check --kubeconfig",
                        self.server
                    ),
                ),
                None => (
                    None,
                    format!(
                        "{what}: cannot reach the cluster API at {}: {}",
                        self.server,
                        root_causes(&other)
                    ),
                ),
            },
        };
        ClusterError { code, message }
    }
}

/// A TLS handshake that failed over a certificate: neither side's changes by retrying.
enum CertificateProblem {
    /// This host does not trust the server's certificate (rustls: "invalid peer
    /// certificate: UnknownIssuer", an expired or misnamed certificate).
    Server(String),
    /// The server refused ours: a fatal alert about the client certificate.
    Client(String),
}

fn certificate_problem(err: &kube::Error) -> Option<CertificateProblem> {
    const CLIENT_ALERTS: [&str; 4] = [
        "UnknownCA",
        "BadCertificate",
        "CertificateExpired",
        "CertificateUnknown",
    ];
    distinct_causes(Some(err)).into_iter().find_map(|cause| {
        if cause.contains("invalid peer certificate") {
            Some(CertificateProblem::Server(cause))
        } else if cause.contains("received fatal alert")
            && CLIENT_ALERTS.iter().any(|alert| cause.contains(alert))
        {
            Some(CertificateProblem::Client(cause))
        } else {
            None
        }
    })
}

/// Every distinct cause, outermost first ("client error (Connect): tcp connect error:
/// Connection refused"), rather than the wrapper's one-line summary.
fn root_causes(err: &kube::Error) -> String {
    distinct_causes(Some(err)).join(": ")
}

#[cfg(test)]
mod tests {
    use super::Cluster;

    fn cluster() -> Cluster {
        let config = kube::Config::new("https://127.0.0.1:1".parse().unwrap());
        Cluster {
            client: kube::Client::try_from(config).unwrap(),
            server: "https://127.0.0.1:1/".into(),
            ca_pems: vec![],
            skips_tls_verify: false,
        }
    }

    fn forbidden(message: &str) -> kube::Error {
        let status = serde_json::json!({"code": 403, "reason": "Forbidden", "message": message});
        kube::Error::Api(Box::new(serde_json::from_value(status).unwrap()))
    }

    #[tokio::test]
    async fn a_terminating_namespace_is_named_as_the_cause_not_missing_rights() {
        let cluster = cluster();
        let explained = cluster.explain(
            forbidden(
                "rolebindings.rbac.authorization.k8s.io \"bridgectl-view-user-a\" is forbidden: \
                 unable to create new content in namespace project-a because it is being terminated",
            ),
            "rolebinding project-a/bridgectl-view-user-a",
        );
        let message = explained.to_string();
        assert!(
            message.contains("still terminating from an earlier delete"),
            "{message}"
        );
        assert!(!message.contains("cluster-admin"), "{message}");

        let missing_rights = cluster
            .explain(
                forbidden("User \"dev\" cannot create resource"),
                "rolebinding x",
            )
            .to_string();
        assert!(missing_rights.contains("cluster-admin"), "{missing_rights}");
    }
}
