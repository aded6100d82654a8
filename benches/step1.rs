//! Benchmark (not a test): step1's cost beyond Keycloak's own start.
//!
//! For each round: a fresh state directory and container name; `bridgectl step1` cold
//! (image present, container absent) is timed, and bridgectl's own report of how long it
//! waited for Keycloak (from container start to the first HTTPS answer) is read from its
//! -v output: the rest of the wall time is bridgectl's overhead. For comparison, the same
//! image and arguments are also started directly with `podman run` and polled every 20 ms
//! (Keycloak's start varies by several seconds from run to run, so this difference is
//! noisy). No-op re-runs are timed separately.
//! Run: `cargo bench --bench step1` (3 rounds; BENCH_ROUNDS=N, or 1 with BENCH_QUICK=1).
//! Writes its section of BENCHMARKS.md to target/bench-report/step1.md.

// The benches use a part of the integration tests' bed.
#[path = "../tests/it/support/mod.rs"]
#[allow(dead_code)]
mod common;
mod support;

use std::time::{Duration, Instant};

use common::{Bed, client_trusting, podman};
use support::report::{self, Figure, Report, Target, Unit, median, ratio};

/// Removes the named container when dropped, so a failed round leaves nothing running.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = podman(&["rm", "-f", "-t", "0", &self.0]);
    }
}

/// Starts Keycloak by hand exactly as step1 configures it and times it to first answer.
fn keycloak_alone(bed: &Bed) -> f64 {
    let name = format!("{}-alone", bed.container);
    let _remove = Container(name.clone());
    let port = common::free_port();
    let certs = bed.dir.path().join("alone-certs");
    std::fs::create_dir_all(&certs).unwrap();
    for (from, to) in [("tls/server.crt", "tls.crt"), ("tls/server.key", "tls.key")] {
        std::fs::write(certs.join(to), bed.read_state(from)).unwrap();
    }
    let certs_mount = format!("{}:/opt/keycloak/conf/bridgectl:ro", certs.display());
    // World-readable copies: the container user must read them through the bind mount.
    let _ = std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(bed.dir.path())
        .status();
    let hostname = format!("--hostname=https://127.0.0.1:{port}");
    let publish = format!("127.0.0.1:{port}:8443");
    let started = Instant::now();
    let run = podman(&[
        "run",
        "-d",
        "--name",
        &name,
        "-p",
        &publish,
        "-v",
        &certs_mount,
        "-e",
        "KC_BOOTSTRAP_ADMIN_USERNAME=admin",
        "-e",
        "KC_BOOTSTRAP_ADMIN_PASSWORD=bench-only",
        &common::keycloak_image(),
        "start-dev",
        "--https-port=8443",
        "--https-certificate-file=/opt/keycloak/conf/bridgectl/tls.crt",
        "--https-certificate-key-file=/opt/keycloak/conf/bridgectl/tls.key",
        "--features=token-exchange",
        "--health-enabled=true",
        &hostname,
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let client = client_trusting(&bed.state_dir().join("tls/ca.crt"));
    let url = format!("https://127.0.0.1:{port}/realms/master/.well-known/openid-configuration");
    let took = loop {
        if client
            .get(&url)
            .send()
            .is_ok_and(|r| r.status().is_success())
        {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "Keycloak alone never answered"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    took.as_secs_f64()
}

/// "Keycloak answered at … after 45.1s" from bridgectl -v.
fn waited_for_keycloak(stderr: &str) -> f64 {
    stderr
        .lines()
        .find_map(|line| line.split("after ").nth(1)?.strip_suffix('s')?.parse().ok())
        .unwrap_or_else(|| panic!("no readiness time in:\n{stderr}"))
}

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| report::runs(3, 1));
    let noops_per_round = report::runs(5, 3);
    let (mut cold, mut alone, mut overhead, mut noop) = (vec![], vec![], vec![], vec![]);
    let mut waits: Vec<f64> = vec![];
    for round in 1..=rounds {
        let bed = Bed::new("bench");
        // Certificates and secrets first, so the cold run measures the container path only.
        let started = Instant::now();
        bed.run(&["step1"]).assert_ok();
        let total = started.elapsed().as_secs_f64();
        let _ = podman(&["rm", "-f", "-t", "0", &bed.container]);
        let started = Instant::now();
        let cold_run = bed.run(&["-v", "step1"]);
        let t = started.elapsed().as_secs_f64();
        cold_run.assert_ok();
        let waited = waited_for_keycloak(&cold_run.stderr);
        for _ in 0..noops_per_round {
            let started = Instant::now();
            bed.run(&["step1"]).assert_ok();
            noop.push(started.elapsed().as_secs_f64());
        }
        let _ = podman(&["rm", "-f", "-t", "0", &bed.container]);
        let k = keycloak_alone(&bed);
        println!(
            "round {round}: first step1 {total:.2}s, cold step1 {t:.2}s (waited for Keycloak {waited:.2}s, own time {:.2}s), Keycloak alone {k:.2}s",
            t - waited
        );
        cold.push(t);
        alone.push(k);
        overhead.push(t - waited);
        waits.push(waited);
    }

    let mut report = Report::new(
        "step1",
        "step1 — bridgectl's overhead beyond Keycloak's own start",
    );
    report.text(&format!(
        "{rounds} round(s). Each round uses a fresh state directory and container: a first \
         `step1` creates the certificates and secrets, its container is removed, and the \
         timed cold `step1 -v` (image present, container absent) then measures the container \
         path only. \"Waiting\" is bridgectl's own measurement from container start to \
         Keycloak's first HTTPS answer (verified against our CA, polled every 100 ms); the \
         rest of the wall time is bridgectl's overhead (connecting to the engine, \
         certificates, image inspection, create, copying the certificate in, start). \
         \"Keycloak alone\" starts the same image with the same arguments by `podman run` and \
         polls every 20 ms; Keycloak's own start varies by several seconds between runs here \
         (±6 s seen on 2026-11-22), which is why the overhead is taken from bridgectl's own \
         split rather than from that difference. The no-op re-run is `step1` again on the \
         running container, {noops_per_round} times per round."
    ));
    let ratio_to_alone = median(&cold) / median(&alone);
    report.figures(&[
        Figure::new(
            "step1, image present, container absent",
            &cold,
            Unit::Secs(2),
        ),
        Figure::new(
            "of which waiting for Keycloak to answer",
            &waits,
            Unit::Secs(2),
        ),
        Figure::new(
            "**bridgectl overhead** (wall − wait)",
            &overhead,
            Unit::Secs(2),
        )
        .target(Target::at_most(2.0, "2 s"))
        .headline("step1: overhead beyond Keycloak's start"),
        Figure::new(
            "Keycloak alone (`podman run`, 20 ms poll)",
            &alone,
            Unit::Secs(2),
        )
        .note(format!("step1 ÷ alone: {}", ratio(ratio_to_alone))),
        Figure::new("**no-op re-run**", &noop, Unit::Secs(3))
            .target(Target::at_most(1.0, "1 s"))
            .headline("step1: no-op re-run"),
    ]);
    report.finish();
}
