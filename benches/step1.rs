//! Benchmark (not a test): step1's cost beyond Keycloak's own start.
//!
//! For each round: a fresh state directory and container name; `bridgectl step1` cold
//! (image present) is timed; then the same image and arguments are started directly with
//! `podman run` and polled every 20 ms, which is Keycloak's own time to ready; the
//! difference is bridgectl's overhead. No-op re-runs are timed separately.
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

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let (mut cold, mut alone, mut overhead, mut noop) = (vec![], vec![], vec![], vec![]);
    for round in 1..=rounds {
        let bed = Bed::new("bench");
        // Certificates and secrets first, so the cold run measures the container path only.
        let started = Instant::now();
        bed.run(&["step1"]).assert_ok();
        let total = started.elapsed().as_secs_f64();
        let _ = podman(&["rm", "-f", "-t", "0", &bed.container]);
        let started = Instant::now();
        bed.run(&["step1"]).assert_ok();
        let t = started.elapsed().as_secs_f64();
        for _ in 0..5 {
            let started = Instant::now();
            bed.run(&["step1"]).assert_ok();
            noop.push(started.elapsed().as_secs_f64());
        }
        let _ = podman(&["rm", "-f", "-t", "0", &bed.container]);
        let k = keycloak_alone(&bed);
        println!(
            "round {round}: first step1 {total:.2}s, cold step1 {t:.2}s, Keycloak alone {k:.2}s, overhead {:.2}s",
            t - k
        );
        cold.push(t);
        alone.push(k);
        overhead.push(t - k);
    }
    let (c, k, o, n) = (median(cold), median(alone), median(overhead), median(noop));
    println!();
    println!("step1 benchmark, {rounds} rounds (medians)");
    println!("  step1, image present, container absent   {c:7.2} s");
    println!("  Keycloak alone (podman run, 20 ms poll)   {k:7.2} s");
    println!(
        "  bridgectl overhead                        {o:7.2} s   (target <= 2 s; ratio step1/alone {:.3})",
        c / k
    );
    println!("  no-op re-run                              {n:7.3} s   (target <= 1 s)");
}
