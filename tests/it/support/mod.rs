//! Shared test bed: a private state directory and configuration per test, the real
//! bridgectl binary, and the real Podman engine (started by scripts/sandbox-kit.sh).

pub mod browser;
pub mod flow;
pub mod kube;
pub mod proxy;
pub mod setup;
pub mod sim;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const DEFAULT_KEYCLOAK_IMAGE: &str = "localhost/bridgectl/keycloak:26.2.5";

/// The Keycloak image the tests run; built locally by scripts/build-images.sh.
pub fn keycloak_image() -> String {
    std::env::var("BRIDGECTL_TEST_KEYCLOAK_IMAGE").unwrap_or_else(|_| DEFAULT_KEYCLOAK_IMAGE.into())
}

/// The kit's Keycloak image under a tag of the caller's own (the same image, not a copy):
/// its optimized Keycloak image is then its own too, so that `clean --images` removes it
/// while other tests run from the shared one. scripts/test.sh removes the tag.
pub fn private_keycloak_image(prefix: &str) -> String {
    let tag = format!("localhost/{}:26.2.5", unique(prefix));
    let tagged = podman(&["tag", &keycloak_image(), &tag]);
    assert!(tagged.status.success(), "{tagged:?}");
    tag
}

/// The kit's local Debian base for the demo app image (same C library as the host the
/// binary is built on).
pub fn base_image() -> String {
    std::env::var("BRIDGECTL_TEST_BASE_IMAGE")
        .unwrap_or_else(|_| "localhost/bridgectl/base-jre:bookworm".into())
}

/// The kit's Debian bullseye: a C library (glibc 2.31) older than the host's.
pub fn old_glibc_image() -> String {
    std::env::var("BRIDGECTL_TEST_OLD_GLIBC_IMAGE")
        .unwrap_or_else(|_| "localhost/bridgectl/debian:bullseye".into())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A unique name so parallel tests and left-overs never collide.
pub fn unique(prefix: &str) -> String {
    format!(
        "bridgectl-test-{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// What one bridgectl run printed.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.status, 0, "bridgectl failed:\n{}", self.all());
        self.assert_no_panic()
    }

    #[track_caller]
    pub fn assert_failed(&self) -> &Self {
        assert_ne!(
            self.status,
            0,
            "bridgectl should have failed:\n{}",
            self.all()
        );
        self.assert_no_panic()
    }

    #[track_caller]
    pub fn assert_no_panic(&self) -> &Self {
        assert!(
            !self.all().contains("panicked"),
            "bridgectl panicked:\n{}",
            self.all()
        );
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.all().contains(needle),
            "expected {needle:?} in:\n{}",
            self.all()
        );
        self
    }

    /// Every reported object unchanged: the run found nothing to do.
    #[track_caller]
    pub fn assert_all_unchanged(&self, why: &str) -> &Self {
        self.assert_ok();
        assert!(
            self.outcomes().iter().all(|o| o == "unchanged"),
            "{why}:\n{}",
            self.all()
        );
        self
    }

    /// The outcome word bridgectl printed for kind/name, e.g. "created".
    pub fn outcome_of(&self, object: &str) -> Option<String> {
        self.stdout.lines().find_map(|line| {
            let line = line.trim();
            let rest = line.strip_suffix(object)?.trim_end();
            rest.split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" ")
                .into()
        })
    }

    /// Every reported object's outcome word(s).
    pub fn outcomes(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("      "))
            .map(|l| {
                let words: Vec<_> = l.split_whitespace().collect();
                words[1..words.len() - 1].join(" ")
            })
            .collect()
    }
}

/// One test's world: a state directory, a config file and names of its own.
pub struct Bed {
    pub dir: tempfile::TempDir,
    pub container: String,
    pub port: u16,
    pub extra_env: Vec<(String, String)>,
}

impl Bed {
    pub fn new(prefix: &str) -> Bed {
        let bed = Bed {
            dir: tempfile::tempdir().expect("temp dir"),
            container: unique(prefix),
            port: free_port(),
            extra_env: Vec::new(),
        };
        bed.write_config("");
        bed
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("bridgectl.yaml")
    }

    /// The sandbox configuration for this bed; `extra_keycloak` holds YAML lines under
    /// `keycloak:` that replace the bed's own values for the same keys.
    pub fn write_config(&self, extra_keycloak: &str) {
        let overridden: Vec<&str> = extra_keycloak
            .lines()
            .filter_map(|line| line.trim().split(':').next())
            .collect();
        let image = keycloak_image();
        let port = self.port.to_string();
        let defaults = [
            ("image", image.as_str()),
            ("container_name", self.container.as_str()),
            ("https_port", port.as_str()),
            ("bind_address", "127.0.0.1"),
        ];
        let mut text = String::from("bastion:\n  address: 127.0.0.1\nkeycloak:\n");
        for (key, value) in defaults {
            if !overridden.contains(&key) {
                text.push_str(&format!("  {key}: {value}\n"));
            }
        }
        text.push_str(extra_keycloak);
        std::fs::write(self.config_path(), text).expect("write config");
    }

    pub fn command(&self, args: &[&str]) -> Command {
        self.command_of(Path::new(env!("CARGO_BIN_EXE_bridgectl")), args)
    }

    /// `args` run by `program` (another bridgectl executable) against this bed.
    pub fn command_of(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.arg("--config")
            .arg(self.config_path())
            .arg("--state-dir")
            .arg(self.state_dir())
            .args(args)
            .env("CI", "true")
            .env_remove("BRIDGECTL_CONFIG")
            .env_remove("BRIDGECTL_STATE_DIR");
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        to_run(self.command(args).output().expect("run bridgectl"))
    }

    pub fn secret(&self, name: &str) -> String {
        std::fs::read_to_string(self.state_dir().join("secrets").join(name))
            .expect("secret in state dir")
            .trim()
            .to_string()
    }

    pub fn read_state(&self, relative: &str) -> String {
        std::fs::read_to_string(self.state_dir().join(relative)).expect("state file")
    }

    /// Container id, or None when there is no container of that name.
    pub fn container_id(&self) -> Option<String> {
        container_id(&self.container)
    }
}

impl Drop for Bed {
    fn drop(&mut self) {
        let _ = podman(&["rm", "-f", "-t", "0", &self.container]);
        let _ = podman(&["volume", "rm", "-f", &format!("{}-data", self.container)]);
    }
}

pub fn to_run(output: Output) -> Run {
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file below `dir`, at any depth.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

pub fn podman(args: &[&str]) -> Output {
    Command::new("podman")
        .args(args)
        .output()
        .expect("podman is installed (scripts/podman-setup.sh)")
}

pub fn container_id(name: &str) -> Option<String> {
    let out = podman(&["container", "inspect", "--format", "{{.Id}}", name]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// An HTTP client that trusts only the given CA file.
pub fn client_trusting(ca_file: &Path) -> reqwest::blocking::Client {
    let pem = std::fs::read(ca_file).expect("CA file");
    reqwest::blocking::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("CA parses")])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Keycloak's master-realm admin token, for checking what the server says about itself.
pub fn admin_token(client: &reqwest::blocking::Client, base: &str, password: &str) -> String {
    let resp: serde_json::Value = client
        .post(format!(
            "{base}/realms/master/protocol/openid-connect/token"
        ))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "admin-cli"),
            ("username", "admin"),
            ("password", password),
        ])
        .send()
        .expect("token request")
        .json()
        .expect("token JSON");
    resp["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// A bed with a Keycloak of its own, configured with `extra_keycloak` (YAML lines under
/// `keycloak:`, see [`Bed::write_config`]) and started by `bridgectl step1`.
pub fn keycloak_bed(prefix: &str, extra_keycloak: &str) -> Bed {
    let bed = Bed::new(prefix);
    bed.write_config(extra_keycloak);
    bed.run(&["step1"]).assert_ok();
    bed
}

/// The one Keycloak of the default configuration for the whole test run, started by
/// `bridgectl step1` on first use. Tests share it and its state directory, each in a realm
/// of its own ([`realm`]), and never stop, restart or reconfigure it: a test that does
/// starts a Keycloak of its own. (Statics are not dropped: scripts/test.sh removes the
/// `bridgectl-test-*` containers before and after the suite.)
pub fn default_keycloak() -> &'static Bed {
    static KEYCLOAK: OnceLock<Bed> = OnceLock::new();
    KEYCLOAK.get_or_init(|| keycloak_bed("shared", ""))
}

/// A realm name no other test uses, for a test on [`default_keycloak`].
pub fn realm(prefix: &str) -> String {
    unique(prefix).replace("bridgectl-test-", "")
}

pub const TEST_OAUTH_URL: &str = "https://oauth.sim.test";

impl Bed {
    pub fn base_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    pub fn client(&self) -> reqwest::blocking::Client {
        client_trusting(&self.state_dir().join("tls/ca.crt"))
    }

    /// Runs a command against `realm` (and a fixed OAuth URL, as no cluster is needed).
    pub fn run_realm(&self, realm: &str, args: &[&str]) -> Run {
        let realm_flag = format!("keycloak.realm={realm}");
        let oauth_flag = format!("openshift.oauth_url={TEST_OAUTH_URL}");
        let mut all = vec!["--set", &realm_flag, "--set", &oauth_flag];
        all.extend_from_slice(args);
        self.run(&all)
    }

    pub fn admin(&self) -> KeycloakAdmin {
        let client = self.client();
        let token = admin_token(
            &client,
            &self.base_url(),
            &self.secret("keycloak-admin-password"),
        );
        KeycloakAdmin {
            client,
            base: self.base_url(),
            token,
        }
    }

    /// A user's access token from the password grant of the app client.
    pub fn user_token(&self, realm: &str, username: &str) -> reqwest::blocking::Response {
        self.client()
            .post(format!(
                "{}/realms/{realm}/protocol/openid-connect/token",
                self.base_url()
            ))
            .form(&[
                ("grant_type", "password"),
                ("client_id", "third-party-app"),
                ("client_secret", &self.secret("client-third-party-app")),
                ("username", username),
                ("password", &self.secret(&format!("user-{username}"))),
                ("scope", "openid"),
            ])
            .send()
            .expect("token endpoint answers")
    }

    /// A user's access token itself, asserting the sign-in succeeded.
    #[track_caller]
    pub fn access_token(&self, realm: &str, username: &str) -> String {
        let resp = self.user_token(realm, username);
        assert_eq!(resp.status(), 200, "{username} cannot sign in to {realm}");
        let body: serde_json::Value = resp.json().expect("token JSON");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// The document's token exchange: user token in, authenticated as ocp-oauth.
    pub fn exchange(&self, realm: &str, subject_token: &str) -> reqwest::blocking::Response {
        self.client()
            .post(format!(
                "{}/realms/{realm}/protocol/openid-connect/token",
                self.base_url()
            ))
            .form(&[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                ("subject_token", subject_token),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                (
                    "requested_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                ("client_id", "ocp-oauth"),
                ("client_secret", &self.secret("client-ocp-oauth")),
            ])
            .send()
            .expect("token endpoint answers")
    }
}

/// Direct admin API access, to look at and tamper with Keycloak behind bridgectl's back.
pub struct KeycloakAdmin {
    pub client: reqwest::blocking::Client,
    pub base: String,
    pub token: String,
}

impl KeycloakAdmin {
    pub fn get(&self, path: &str) -> serde_json::Value {
        let resp = self
            .client
            .get(format!("{}/admin/realms{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        resp.json().unwrap()
    }

    pub fn put(&self, path: &str, body: &serde_json::Value) {
        let resp = self
            .client
            .put(format!("{}/admin/realms{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "PUT {path}: {}", resp.status());
    }

    pub fn delete(&self, path: &str) {
        let resp = self
            .client
            .delete(format!("{}/admin/realms{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap();
        assert!(
            resp.status().is_success(),
            "DELETE {path}: {}",
            resp.status()
        );
    }

    pub fn client_rep(&self, realm: &str, client_id: &str) -> serde_json::Value {
        self.get(&format!("/{realm}/clients?clientId={client_id}"))[0].clone()
    }

    pub fn user_rep(&self, realm: &str, username: &str) -> serde_json::Value {
        self.get(&format!("/{realm}/users?username={username}&exact=true"))[0].clone()
    }

    pub fn admin_event_count(&self, realm: &str) -> usize {
        self.get(&format!("/{realm}/admin-events?max=100000"))
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
    }
}

/// The payload of a JWT, decoded without checking the signature (tests only read claims).
pub fn jwt_claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
