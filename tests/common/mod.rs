//! Shared test bed: a private state directory and configuration per test, the real
//! bridgectl binary, and the real Podman engine (started by scripts/sandbox-kit.sh).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const DEFAULT_KEYCLOAK_IMAGE: &str = "localhost/bridgectl/keycloak:26.2.5";

/// The Keycloak image the tests run; built locally by scripts/build-images.sh.
pub fn keycloak_image() -> String {
    std::env::var("BRIDGECTL_TEST_KEYCLOAK_IMAGE").unwrap_or_else(|_| DEFAULT_KEYCLOAK_IMAGE.into())
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
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bridgectl"));
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
    }
}

pub fn to_run(output: Output) -> Run {
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
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
