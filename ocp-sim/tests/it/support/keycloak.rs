//! Starts a real Keycloak from its distribution (copied to a temp dir, so runs never
//! share state), with HTTPS from a CA generated here, and drives its admin REST API.
//! The process is killed when the guard is dropped, also when a test panics.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const DEFAULT_HOME: &str = "/root/.cache/bridgectl-kit/keycloak-26.2.5-context/keycloak";

/// Where the unpacked distribution is: `$OCP_SIM_KEYCLOAK_HOME` or the kit's cache.
pub fn distribution() -> Option<PathBuf> {
    let home = std::env::var("OCP_SIM_KEYCLOAK_HOME").unwrap_or_else(|_| DEFAULT_HOME.to_string());
    let path = PathBuf::from(home);
    path.join("bin/kc.sh").exists().then_some(path)
}

pub struct Keycloak {
    /// `https://127.0.0.1:<port>`, also the `--hostname`, so issuers start with it.
    pub url: String,
    pub ca_pem: String,
    pub admin_password: String,
    pub http: reqwest::Client,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Keycloak {
    fn drop(&mut self) {
        // kc.sh runs a build step as a child before exec'ing the server, so the whole
        // process group we created for it goes, by its id: never anything else.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(status.success(), "copying the Keycloak distribution failed");
}

impl Keycloak {
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Starts Keycloak (`start-dev`) and waits until `/realms/master` answers.
    pub async fn start(home: &Path) -> Keycloak {
        let dir = tempfile::tempdir().expect("tempdir");
        let kc_home = dir.path().join("keycloak");
        copy_tree(home, &kc_home);
        let ca = ocp_sim::issue_ca("keycloak test CA").expect("CA");
        let server = ocp_sim::issue_server(&ca, &["127.0.0.1", "localhost"]).expect("server cert");
        let cert_file = dir.path().join("tls.crt");
        let key_file = dir.path().join("tls.key");
        std::fs::write(&cert_file, &server.cert_pem).expect("write cert");
        std::fs::write(&key_file, &server.key_pem).expect("write key");
        let port = free_port();
        let management_port = free_port();
        let url = format!("https://127.0.0.1:{port}");
        let admin_password = ocp_sim::random_urlsafe(18);
        let log = dir.path().join("keycloak.log");
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(kc_home.join("bin/kc.sh"))
            .arg("start-dev")
            .arg("--http-enabled=false")
            .arg(format!("--https-port={port}"))
            .arg(format!("--https-certificate-file={}", cert_file.display()))
            .arg(format!(
                "--https-certificate-key-file={}",
                key_file.display()
            ))
            .arg(format!("--hostname={url}"))
            .arg(format!("--http-management-port={management_port}"))
            .env("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
            .env("KC_BOOTSTRAP_ADMIN_PASSWORD", &admin_password)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .spawn()
            .expect("kc.sh starts");
        let http = super::client_for(&ca.cert_pem, false);
        let mut kc = Keycloak {
            url,
            ca_pem: ca.cert_pem,
            admin_password,
            http,
            child,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(240);
        loop {
            if let Ok(Some(status)) = kc.child.try_wait() {
                panic!("Keycloak exited early ({status}):\n{}", kc.log_tail());
            }
            let ready = kc
                .http
                .get(format!("{}/realms/master", kc.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return kc;
            }
            assert!(
                Instant::now() < deadline,
                "Keycloak did not become ready:\n{}",
                kc.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(1000)).await;
        }
    }

    pub async fn admin_token(&self) -> String {
        let resp = self
            .http
            .post(format!(
                "{}/realms/master/protocol/openid-connect/token",
                self.url
            ))
            .form(&[
                ("grant_type", "password"),
                ("client_id", "admin-cli"),
                ("username", "admin"),
                ("password", &self.admin_password),
            ])
            .send()
            .await
            .expect("admin token request");
        let body: Value = resp.json().await.expect("admin token JSON");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    async fn admin_post(&self, path: &str, body: Value) {
        let token = self.admin_token().await;
        let resp = self
            .http
            .post(format!("{}/admin/realms{path}", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("admin request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "POST /admin/realms{path}: {status} {text}"
        );
    }

    pub async fn create_realm(&self, realm: &str) {
        self.admin_post("", json!({"realm": realm, "enabled": true}))
            .await;
    }

    pub async fn create_confidential_client(
        &self,
        realm: &str,
        client_id: &str,
        secret: &str,
        redirect_uris: &[&str],
    ) {
        self.admin_post(
            &format!("/{realm}/clients"),
            json!({
                "clientId": client_id,
                "enabled": true,
                "protocol": "openid-connect",
                "publicClient": false,
                "clientAuthenticatorType": "client-secret",
                "secret": secret,
                "standardFlowEnabled": true,
                "directAccessGrantsEnabled": false,
                "redirectUris": redirect_uris,
            }),
        )
        .await;
    }

    pub async fn create_user(
        &self,
        realm: &str,
        username: &str,
        password: &str,
        first: &str,
        last: &str,
    ) {
        self.admin_post(
            &format!("/{realm}/users"),
            json!({
                "username": username,
                "enabled": true,
                "firstName": first,
                "lastName": last,
                "email": format!("{username}@example.com"),
                "emailVerified": true,
                "credentials": [{"type": "password", "value": password, "temporary": false}],
            }),
        )
        .await;
    }
}
