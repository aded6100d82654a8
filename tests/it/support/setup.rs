//! The whole chain in a sandbox of its own: Keycloak and the demo app in Podman under names
//! and ports of their own, the simulator started by `bridgectl sandbox up`. Everything is
//! removed on drop.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

use serde_json::Value;

use super::sim::SimApi;
use super::{Bed, KeycloakAdmin, Run, free_port, unique};

pub struct Setup {
    pub bed: Bed,
    pub app_container: String,
    /// Set when the chain is run by a copy of the release binary alone (see [`Setup::alone`]).
    alone: Option<Alone>,
}

/// The release binary copied into an empty directory, run there with an environment that
/// names no toolchain and no source tree: as on a bastion that has only bridgectl and a
/// container engine.
struct Alone {
    dir: tempfile::TempDir,
    path: String,
}

impl Setup {
    /// The chain run by this build's bridgectl (the debug binary cargo built for the tests).
    pub fn new(prefix: &str) -> Setup {
        Setup::with_keycloak(prefix, &super::keycloak_image())
    }

    /// The chain on another Keycloak image (another version).
    pub fn with_keycloak(prefix: &str, keycloak_image: &str) -> Setup {
        let bed = Bed::new(prefix);
        let app_container = unique(&format!("{prefix}-app"));
        let config = format!(
            "bastion:\n  address: 127.0.0.1\n\
             keycloak:\n  image: {kc_image}\n  container_name: {kc}\n  https_port: {kc_port}\n  bind_address: 127.0.0.1\n\
             app:\n  image: localhost/{app}:test\n  container_name: {app}\n  port: {app_port}\n  bind_address: 127.0.0.1\n\
             sandbox:\n  api_port: {api}\n  oauth_port: {oauth}\n",
            kc_image = keycloak_image,
            kc = bed.container,
            kc_port = bed.port,
            app = app_container,
            app_port = free_port(),
            api = free_port(),
            oauth = free_port(),
        );
        std::fs::write(bed.config_path(), config).unwrap();
        Setup {
            bed,
            app_container,
            alone: None,
        }
    }

    /// The chain run by a copy of the release binary (`cargo build --release`, as
    /// scripts/test.sh does first), with a Keycloak image of its own, in an empty directory, with a `PATH` that has no
    /// `cargo` and no `rustc`, no cargo or rustup variables and no way to the repository.
    pub fn alone(prefix: &str) -> Setup {
        let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/bridgectl");
        assert!(
            release.is_file(),
            "{} is missing: run `cargo build --release -p bridgectl` first (scripts/test.sh does)",
            release.display()
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::copy(&release, dir.path().join("bridgectl")).expect("copy the release binary");
        let toolchain = |dir: &Path| {
            ["cargo", "rustc"]
                .iter()
                .any(|tool| dir.join(tool).exists())
        };
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::split_paths(&path)
            .filter(|dir| !toolchain(dir))
            .collect::<Vec<_>>();
        let path = std::env::join_paths(path).unwrap().into_string().unwrap();
        // Its own optimized Keycloak image, which its `clean --images` removes.
        let mut setup = Setup::with_keycloak(prefix, &super::private_keycloak_image(prefix));
        setup.alone = Some(Alone { dir, path });
        setup
    }

    /// The directory the lone binary runs in, and the binary.
    pub fn alone_dir(&self) -> Option<&Path> {
        self.alone.as_ref().map(|alone| alone.dir.path())
    }

    /// The command for `args`, with no cluster of the host's: the sandbox must be found by
    /// itself.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = match &self.alone {
            None => self.bed.command(args),
            Some(alone) => {
                let mut cmd = self
                    .bed
                    .command_of(&alone.dir.path().join("bridgectl"), args);
                cmd.env_clear()
                    .env("PATH", &alone.path)
                    .env("CI", "true")
                    .current_dir(alone.dir.path());
                cmd
            }
        };
        cmd.env_remove("KUBECONFIG")
            .env_remove("BRIDGECTL_KILL_AFTER")
            .env_remove("BRIDGECTL_WRITE_LOG")
            .env("HOME", self.bed.dir.path());
        // The bed's own additions (a kubeconfig of the test's, a trust store) come last.
        cmd.envs(self.bed.extra_env.iter().map(|(k, v)| (k, v)));
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
