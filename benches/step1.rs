//! Benchmark (not a test): step1's cost beyond Keycloak's own start.
//!
//! For each round: a fresh state directory and container name; `bridgectl step1` cold
//! (image present, container absent) is timed, and bridgectl's own report of how long it
//! waited for Keycloak (from container start to the first HTTPS answer) is read from its
//! -v output: the rest of the wall time is bridgectl's overhead. For comparison, the same
//! image and arguments are also started directly with `podman run` and polled every 20 ms
//! (Keycloak's start varies by several seconds from run to run, so this difference is
//! noisy). No-op re-runs are timed separately.
//! Run: `cargo bench --bench step1` (BENCH_ROUNDS=3 by default).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Bed, client_trusting, podman};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// Starts Keycloak by hand exactly as step1 configures it and times it to first answer.
fn keycloak_alone(bed: &Bed) -> f64 {
    let name = format!("{}-alone", bed.container);
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
    let _ = podman(&["rm", "-f", "-t", "0", &name]);
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
        .unwrap_or(3);
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
        for _ in 0..5 {
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
    let (c, k, o, n, w) = (
        median(cold),
        median(alone),
        median(overhead),
        median(noop),
        median(waits),
    );
    println!();
    println!("step1 benchmark, {rounds} rounds (medians)");
    println!("  step1, image present, container absent    {c:7.2} s");
    println!("  of which waiting for Keycloak to answer    {w:7.2} s");
    println!("  bridgectl overhead (wall - wait)           {o:7.2} s   (target <= 2 s)");
    println!(
        "  Keycloak alone (podman run, 20 ms poll)    {k:7.2} s   (ratio step1/alone {:.3})",
        c / k
    );
    println!("  no-op re-run                               {n:7.3} s   (target <= 1 s)");
}
