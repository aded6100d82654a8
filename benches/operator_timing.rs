//! The operator's loop, timed: `all` from scratch (its overhead beyond Keycloak's own
//! start), `all` on a converged setup, and `status`.
//!
//! `cargo bench --bench operator_timing` runs against the local sandbox with its own names
//! and ports (the kit's images must exist: scripts/sandbox-kit.sh), then removes what it
//! made. Prints medians and their ratio to the targets of issue 6: converged `all` <= 2 s,
//! `status` <= 0.5 s, cold `all` overhead <= 5 s.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const COLD_RUNS: usize = 3;
const WARM_RUNS: usize = 7;
const STATUS_RUNS: usize = 9;

struct Setup {
    dir: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = std::env::temp_dir().join(format!("bridgectl-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tag = format!("bridgectl-bench-{}", std::process::id());
        let config = format!(
            "bastion:\n  address: 127.0.0.1\n\
             keycloak:\n  image: localhost/bridgectl/keycloak:26.2.5\n  container_name: {tag}-kc\n  https_port: {kc}\n  bind_address: 127.0.0.1\n\
             app:\n  image: localhost/{tag}-app:bench\n  container_name: {tag}-app\n  port: {app}\n  bind_address: 127.0.0.1\n  base_image: localhost/bridgectl/base-jre:bookworm\n\
             sandbox:\n  api_port: {api}\n  oauth_port: {oauth}\n\
             source_dir: {source}\n",
            kc = free_port(),
            app = free_port(),
            api = free_port(),
            oauth = free_port(),
            source = env!("CARGO_MANIFEST_DIR"),
        );
        std::fs::write(dir.join("bridgectl.yaml"), config).unwrap();
        Setup { dir }
    }

    fn bridgectl(&self, args: &[&str]) -> (Output, Duration) {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_bridgectl"))
            .current_dir(&self.dir)
            .args(["--state-dir", "state"])
            .args(args)
            .env("CI", "true")
            .env_remove("KUBECONFIG")
            .output()
            .expect("run bridgectl");
        let took = started.elapsed();
        assert!(
            output.status.success(),
            "bridgectl {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output, took)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.bridgectl_quiet(&["clean", "--yes", "--images"]);
        let _ = self.bridgectl_quiet(&["sandbox", "down"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Setup {
    fn bridgectl_quiet(&self, args: &[&str]) -> std::io::Result<Output> {
        Command::new(env!("CARGO_BIN_EXE_bridgectl"))
            .current_dir(&self.dir)
            .args(["--state-dir", "state"])
            .args(args)
            .output()
    }
}

fn main() {
    build_workspace_binaries();
    let setup = Setup::new();
    setup.bridgectl(&["sandbox", "up"]);

    let mut overheads = Vec::new();
    let mut colds = Vec::new();
    let mut keycloak_starts = Vec::new();
    for _ in 0..COLD_RUNS {
        setup.bridgectl(&["clean", "--yes", "--images"]);
        let (output, took) = setup.bridgectl(&["-v", "all"]);
        let keycloak = keycloak_start(&output).expect("step1 reports Keycloak's start time");
        colds.push(took.as_secs_f64());
        keycloak_starts.push(keycloak);
        overheads.push(took.as_secs_f64() - keycloak);
    }
    let warm: Vec<f64> = (0..WARM_RUNS)
        .map(|_| setup.bridgectl(&["all"]).1.as_secs_f64())
        .collect();
    let status: Vec<f64> = (0..STATUS_RUNS)
        .map(|_| setup.bridgectl(&["status"]).1.as_secs_f64())
        .collect();

    println!(
        "operator loop against the sandbox (medians; {} cores; release build)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<34} {:>9} {:>9} {:>8}   runs",
        "measure", "median s", "target s", "ratio"
    );
    let mut met = true;
    for (label, runs, target) in [
        ("all, converged", &warm, 2.0),
        ("status", &status, 0.5),
        ("all, cold: overhead beyond Keycloak", &overheads, 5.0),
    ] {
        let m = median(runs);
        met &= m <= target;
        println!(
            "{label:<34} {m:>9.3} {target:>9.1} {:>7.2}x   {}",
            m / target,
            runs.iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    println!(
        "(cold all took {:.1} s median, of which Keycloak's own start {:.1} s)",
        median(&colds),
        median(&keycloak_starts)
    );
    println!("targets {}", if met { "met" } else { "NOT met" });
}

/// "Keycloak answered at ... after 42.47s", printed by step1 with -v.
fn keycloak_start(output: &Output) -> Option<f64> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("Keycloak answered at"))?;
    let seconds = line.rsplit("after ").next()?.trim().trim_end_matches('s');
    seconds.parse().ok()
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[sorted.len() / 2]
}

/// The demo app and the simulator, so no run measures their compilation.
fn build_workspace_binaries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // One package per build, as bridgectl asks cargo, so its own builds find them fresh.
    for package in ["demo-app", "ocp-sim"] {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "-p", package])
            .arg("--manifest-path")
            .arg(root.join("Cargo.toml"))
            .status()
            .expect("run cargo");
        assert!(status.success(), "building {package} failed");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
