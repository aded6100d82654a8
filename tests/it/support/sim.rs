//! The OpenShift simulator, in-process, on free loopback ports, for one test.

use std::path::PathBuf;

use serde_json::Value;

/// A simulator's admin API, wherever it runs (in this process, or as `sandbox up`'s).
pub struct SimApi {
    pub api_url: String,
    pub oauth_url: String,
    pub kubeconfig: PathBuf,
    pub ca_pem: String,
    pub admin_token: String,
}

/// A simulator started in this process for one test.
pub struct Sim {
    api: SimApi,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    dir: tempfile::TempDir,
}

impl Sim {
    /// Starts a simulator; `tokens` are extra users without rights: (user, token).
    pub fn start(tokens: &[(&str, &str)]) -> Sim {
        Sim::start_without(tokens, &[])
    }

    /// A simulator that does not serve the API groups in `without` (plain Kubernetes
    /// has no project.openshift.io).
    pub fn start_without(tokens: &[(&str, &str)], without: &[&str]) -> Sim {
        let tokens: Vec<(String, String)> = tokens
            .iter()
            .map(|(u, t)| (u.to_string(), t.to_string()))
            .collect();
        let without: Vec<String> = without.iter().map(|g| g.to_string()).collect();
        Sim::start_with(move |options| {
            options.tokens = tokens;
            options.without_groups = without;
        })
    }

    /// A simulator whose options `customise` sets (e.g. how long a deleted namespace
    /// stays Terminating).
    pub fn start_with(customise: impl FnOnce(&mut ocp_sim::Options)) -> Sim {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = ocp_sim::Options::ephemeral(dir.path().join("sim"));
        customise(&mut options);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            let running = runtime
                .block_on(ocp_sim::start(options))
                .expect("simulator starts");
            ready_tx
                .send((
                    running.api_url.clone(),
                    running.oauth_url.clone(),
                    running.kubeconfig.clone(),
                    running.ca_pem.clone(),
                    running.admin_token.clone(),
                ))
                .expect("test waits");
            let _ = stop_rx.recv();
            drop(running);
        });
        let (api_url, oauth_url, kubeconfig, ca_pem, admin_token) =
            ready_rx.recv().expect("simulator started");
        Sim {
            api: SimApi {
                api_url,
                oauth_url,
                kubeconfig,
                ca_pem,
                admin_token,
            },
            stop: Some(stop_tx),
            thread: Some(thread),
            dir,
        }
    }
}

impl Sim {
    /// The simulator's data directory: its CA, certificates and state.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("sim")
    }

    /// A bed pointed at this simulator whose state already has a CA (all that steps 3 and
    /// 5 need of step1).
    pub fn bed(&self, prefix: &str) -> super::Bed {
        bed_on_cluster(prefix, &self.kubeconfig)
    }
}

/// A bed pointed at the cluster of `kubeconfig`, whose state already has a CA (all that
/// steps 3 and 5 need of step1).
pub fn bed_on_cluster(prefix: &str, kubeconfig: &std::path::Path) -> super::Bed {
    let mut bed = super::Bed::new(prefix);
    let state = bridgectl::state::StateDir::open(&bed.state_dir()).unwrap();
    let mut report = bridgectl::reconcile::Report::new(bridgectl::reconcile::Gate::apply());
    let names = ["127.0.0.1".to_string()];
    let issue = bridgectl::tls::ensure(&state, &names, "localhost", &mut report);
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(issue)
        .unwrap();
    bed.extra_env = vec![("KUBECONFIG".into(), kubeconfig.display().to_string())];
    bed
}

impl std::ops::Deref for Sim {
    type Target = SimApi;

    fn deref(&self) -> &SimApi {
        &self.api
    }
}

impl SimApi {
    /// The admin API of the simulator a kubeconfig points at (its server, CA and token).
    pub fn from_kubeconfig(path: &std::path::Path) -> SimApi {
        let text = std::fs::read_to_string(path).expect("the sandbox kubeconfig");
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let cluster = &doc["clusters"][0]["cluster"];
        let ca_data = cluster["certificate-authority-data"].as_str().unwrap();
        use base64::Engine;
        let ca = base64::engine::general_purpose::STANDARD
            .decode(ca_data)
            .unwrap();
        SimApi {
            api_url: cluster["server"].as_str().unwrap().to_string(),
            oauth_url: String::new(),
            kubeconfig: path.to_path_buf(),
            ca_pem: String::from_utf8(ca).unwrap(),
            admin_token: doc["users"][0]["user"]["token"]
                .as_str()
                .unwrap()
                .to_string(),
        }
    }

    fn client(&self) -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap()])
            .build()
            .unwrap()
    }

    /// An admin call; returns status and JSON body.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(&self.admin_token, method, path, body, "application/json")
    }

    pub fn call_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        content_type: &str,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client()
            .request(method, format!("{}{path}", self.api_url))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header("content-type", content_type)
                .body(body.to_string());
        }
        let resp = request.send().expect("simulator answers");
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    pub fn get(&self, path: &str) -> Value {
        let (status, body) = self.call("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    pub fn merge_patch(&self, path: &str, patch: Value) {
        let (status, body) = self.call_as(
            &self.admin_token,
            "PATCH",
            path,
            Some(patch),
            "application/merge-patch+json",
        );
        assert_eq!(status, 200, "PATCH {path}: {body}");
    }

    pub fn identity_provider_names(&self) -> Vec<String> {
        self.get("/apis/config.openshift.io/v1/oauths/cluster")["spec"]["identityProviders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    }

    /// Requests the simulator served since the last reset, by method.
    pub fn writes_since_reset(&self) -> u64 {
        let counts = self.get("/_sim/requests");
        ["POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .map(|m| counts["counts"][m].as_u64().unwrap_or(0))
            .sum()
    }

    pub fn reset_counts(&self) {
        self.call("DELETE", "/_sim/requests", None);
    }

    /// A copy of the admin kubeconfig with another bearer token.
    pub fn kubeconfig_with_token(&self, token: &str, path: &std::path::Path) {
        let text = std::fs::read_to_string(&self.kubeconfig).unwrap();
        let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        doc["users"][0]["user"]["token"] = serde_yaml::Value::String(token.into());
        std::fs::write(path, serde_yaml::to_string(&doc).unwrap()).unwrap();
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
