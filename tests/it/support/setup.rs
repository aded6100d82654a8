//! The whole chain in a sandbox of its own: Keycloak and the demo app in Podman under names
//! and ports of their own, the simulator started by `bridgectl sandbox up`. Everything is
//! removed on drop.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};

use serde_json::Value;

use super::sim::SimApi;
use super::{Bed, KeycloakAdmin, Run, free_port, unique};

pub struct Setup {
    pub bed: Bed,
    pub app_container: String,
}

impl Setup {
    pub fn new(prefix: &str) -> Setup {
        let bed = Bed::new(prefix);
        let app_container = unique(&format!("{prefix}-app"));
        let config = format!(
            "bastion:\n  address: 127.0.0.1\n\
             keycloak:\n  image: {kc_image}\n  container_name: {kc}\n  https_port: {kc_port}\n  bind_address: 127.0.0.1\n\
             app:\n  image: localhost/{app}:test\n  container_name: {app}\n  port: {app_port}\n  bind_address: 127.0.0.1\n  base_image: {base}\n\
             sandbox:\n  api_port: {api}\n  oauth_port: {oauth}\n\
             source_dir: {source}\n",
            kc_image = super::keycloak_image(),
            kc = bed.container,
            kc_port = bed.port,
            app = app_container,
            app_port = free_port(),
            base = super::base_image(),
            api = free_port(),
            oauth = free_port(),
            source = env!("CARGO_MANIFEST_DIR"),
        );
        std::fs::write(bed.config_path(), config).unwrap();
        Setup { bed, app_container }
    }

    /// The command for `args`, with no cluster of the host's: the sandbox must be found by
    /// itself.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.bed.command(args);
        let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        let keep = |name: &str, default: &str| {
            std::env::var_os(name).unwrap_or_else(|| home.join(default).into_os_string())
        };
        // step4 and `sandbox up` run cargo, which finds its toolchain through these.
        cmd.env("RUSTUP_HOME", keep("RUSTUP_HOME", ".rustup"))
            .env("CARGO_HOME", keep("CARGO_HOME", ".cargo"))
            .env_remove("KUBECONFIG")
            .env_remove("BRIDGECTL_KILL_AFTER")
            .env_remove("BRIDGECTL_WRITE_LOG")
            .env("HOME", self.bed.dir.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        super::to_run(self.command(args).output().expect("run bridgectl"))
    }

    /// Runs with extra environment; the raw exit status tells a kill from an exit.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> (Run, ExitStatus) {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied());
        let output = cmd.output().expect("run bridgectl");
        let status = output.status;
        (super::to_run(output), status)
    }

    /// Starts bridgectl without waiting for it, output captured.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start bridgectl")
    }

    pub fn cluster(&self) -> SimApi {
        SimApi::from_kubeconfig(&self.bed.state_dir().join("sandbox/kubeconfig"))
    }

    pub fn keycloak(&self) -> KeycloakAdmin {
        self.bed.admin()
    }

    pub fn status(&self) -> (Run, Value) {
        let run = self.run(&["status", "--output", "json"]);
        let doc = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|err| panic!("status JSON: {err}\n{}", run.all()));
        (run, doc)
    }

    /// `verify` signs every user in through the whole chain and lists their projects.
    #[track_caller]
    pub fn assert_verified(&self) {
        let verify = self.run(&["verify"]);
        verify.assert_ok();
        for (user, projects) in [
            ("user-a", "project-a, project-c"),
            ("user-b", "project-b"),
            ("user-c", "project-a, project-b, project-c"),
        ] {
            let line = verify
                .stdout
                .lines()
                .find(|l| l.starts_with(user))
                .unwrap_or_else(|| panic!("no row for {user}:\n{}", verify.all()));
            assert_eq!(line.matches('✔').count(), 5, "{line}");
            assert!(line.ends_with(projects), "{line}");
        }
        assert!(!verify.stdout.contains('✖'), "{}", verify.all());
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.run(&["sandbox", "down"]);
        let _ = super::podman(&["rm", "-f", "-t", "0", &self.app_container]);
        let _ = super::podman(&["rmi", &format!("localhost/{}:test", self.app_container)]);
    }
}
