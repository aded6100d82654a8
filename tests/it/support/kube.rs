//! A real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, built by
//! scripts/kube-kit.sh), one per test binary, started on first use. It dies with the test
//! process: the kit's `run` stops it on SIGTERM, which the kernel sends when this process
//! ends (PR_SET_PDEATHSIG, from a thread that lives as long as the process).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::sim::SimApi;

pub struct RealKube {
    pub dir: PathBuf,
    /// The kit's binaries (kubectl among them).
    pub bin: PathBuf,
    /// The admin's API (system:masters), in the simulator's shape so tests can talk to
    /// either the same way.
    pub api: SimApi,
}

fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/kube-kit.sh")
}

/// The shared control plane; `None` (with a note) when the kit is not built here and the
/// run does not require it (`KUBE_KIT_REQUIRED=1`, as scripts/test.sh sets, makes it fail).
pub fn real_kube() -> Option<&'static RealKube> {
    static KUBE: OnceLock<Option<RealKube>> = OnceLock::new();
    KUBE.get_or_init(start).as_ref()
}

fn start() -> Option<RealKube> {
    let built = Command::new(kit())
        .arg("bin")
        .output()
        .expect("run kube-kit.sh");
    if !built.status.success() {
        assert!(
            std::env::var_os("KUBE_KIT_REQUIRED").is_none(),
            "KUBE_KIT_REQUIRED is set but the real API server is not built: run scripts/kube-kit.sh build"
        );
        eprintln!(
            "note: the real Kubernetes API server is not built (scripts/kube-kit.sh build): test skipped"
        );
        return None;
    }
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kube-kit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (started, exited) = std::sync::mpsc::channel();
    let run_dir = dir.clone();
    std::thread::spawn(move || {
        let mut command = Command::new(kit());
        command.arg("run").arg(&run_dir);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let status = command.status();
        let _ = started.send(format!("kube-kit.sh run ended: {status:?}"));
        // This thread must outlive the control plane's parent link: park it for good.
        loop {
            std::thread::park();
        }
    });
    let env_file = dir.join("env");
    let deadline = Instant::now() + Duration::from_secs(240);
    while !env_file.exists() {
        if let Ok(ended) = exited.try_recv() {
            panic!(
                "the real API server did not start ({ended}); logs in {}",
                dir.display()
            );
        }
        assert!(
            Instant::now() < deadline,
            "the real API server took over 240 s; logs in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let env = std::fs::read_to_string(&env_file).unwrap();
    let value = |key: &str| {
        env.lines()
            .find_map(|line| line.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} missing from {}", env_file.display()))
            .to_string()
    };
    let api = SimApi {
        api_url: value("KUBE_KIT_API"),
        oauth_url: String::new(),
        kubeconfig: dir.join("kubeconfig-admin"),
        ca_pem: std::fs::read_to_string(value("KUBE_KIT_CA")).unwrap(),
        admin_token: token_of(&dir, "admin"),
    };
    let kube = RealKube {
        bin: PathBuf::from(value("KUBE_KIT_BIN")),
        dir,
        api,
    };
    // What every OpenShift cluster has and a plain one lacks: the namespace step3 writes
    // into, and the cluster's OAuth object (the kit installs its CRD), as the simulator
    // seeds them.
    kube.api.ensure(
        "/api/v1/namespaces",
        json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "openshift-config"}
        }),
    );
    kube.api.ensure(
        "/apis/config.openshift.io/v1/oauths",
        json!({
            "apiVersion": "config.openshift.io/v1", "kind": "OAuth",
            // As an installer leaves it, and as the simulator seeds it.
            "metadata": {"name": "cluster", "annotations": {
                "include.release.openshift.io/self-managed-high-availability": "true"
            }},
            "spec": {"identityProviders": [{
                "name": "htpasswd", "mappingMethod": "claim", "type": "HTPasswd",
                "htpasswd": {"fileData": {"name": "htpass-secret"}}
            }]}
        }),
    );
    Some(kube)
}

/// The static token the kit gave `user`.
pub fn token_of(dir: &Path, user: &str) -> String {
    std::fs::read_to_string(dir.join("tokens.csv"))
        .unwrap()
        .lines()
        .find_map(|line| {
            let mut fields = line.split(',');
            let token = fields.next()?;
            (fields.next() == Some(user)).then(|| token.to_string())
        })
        .unwrap_or_else(|| panic!("no token for {user}"))
}

impl RealKube {
    /// For a test that changes cluster-wide objects (the OAuth object): one at a time.
    pub fn exclusive(&self) -> std::sync::MutexGuard<'static, ()> {
        static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
        ALONE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn kubeconfig(&self, user: &str) -> PathBuf {
        self.dir.join(format!("kubeconfig-{user}"))
    }

    pub fn token(&self, user: &str) -> String {
        token_of(&self.dir, user)
    }

    /// The writes (create, update, patch, delete) `user` made so far, from the API
    /// server's audit log.
    pub fn writes_by(&self, user: &str) -> usize {
        std::fs::read_to_string(self.dir.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|event| event["user"]["username"] == user)
            .count()
    }

    /// The kit's kubectl, signed in as `user`.
    pub fn kubectl(&self, user: &str) -> Command {
        self.kubectl_with(&self.kubeconfig(user))
    }

    /// The kit's kubectl on another server (the sandbox's kubeconfig).
    pub fn kubectl_with(&self, kubeconfig: &Path) -> Command {
        let mut command = Command::new(self.bin.join("kubectl"));
        command.arg("--kubeconfig").arg(kubeconfig);
        command
    }

    /// Waits (up to 30 s) until `path` answers 200: a new CRD takes a moment to be served.
    pub fn wait_until_served(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.api.call("GET", path, None).0 != 200 {
            assert!(Instant::now() < deadline, "{path} is not served after 30 s");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl SimApi {
    /// Creates the object at `collection` unless it exists.
    pub fn ensure(&self, collection: &str, object: Value) {
        let (status, body) = self.call("POST", collection, Some(object));
        assert!(
            status == 201 || status == 409,
            "POST {collection}: {status} {body}"
        );
    }
}

/// `user` may get namespace `ns`, by the API server's own SubjectAccessReview.
pub fn may_get_namespace(api: &SimApi, user: &str, ns: &str) -> bool {
    may(
        api,
        user,
        json!({"verb": "get", "resource": "namespaces", "name": ns, "namespace": ns}),
    )
}

/// The server's SubjectAccessReview answer: may `user` (an authenticated user) do what
/// the resource attributes say?
pub fn may(api: &SimApi, user: &str, resource_attributes: Value) -> bool {
    let (status, review) = api.call(
        "POST",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        Some(json!({
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": user, "groups": ["system:authenticated"],
                     "resourceAttributes": resource_attributes}
        })),
    );
    assert_eq!(status, 201, "{review}");
    review["status"]["allowed"] == true
}
