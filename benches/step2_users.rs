//! Benchmark (not a test): step2 as the number of users grows, against the real Keycloak.
//!
//! For 3, 100 and 1,000 generated users: the first apply and a no-op re-run with the
//! default concurrency, and the same first apply and re-run one request at a time
//! (admin_concurrency: 1), each in a fresh realm. Run: `cargo bench --bench step2_users`
//! (BENCH_SIZES=3,100,1000 by default).

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::time::Instant;

use common::Bed;

fn users_yaml(count: usize) -> String {
    let mut text = String::from("users:\n");
    for i in 0..count {
        let _ = writeln!(
            text,
            "  - {{username: u{i:05}, first_name: User, last_name: N{i}, email: u{i:05}@example.com}}"
        );
    }
    text
}

/// Seconds for one step2 run, asserting what it reported.
fn timed(bed: &Bed, realm: &str, concurrency: usize, expect: &str, users: usize) -> f64 {
    let flag = format!("keycloak.admin_concurrency={concurrency}");
    let started = Instant::now();
    let run = bed.run_realm(realm, &["--set", &flag, "step2"]);
    let took = started.elapsed().as_secs_f64();
    run.assert_ok();
    let count = run
        .outcomes()
        .iter()
        .filter(|o| o.as_str() == expect)
        .count();
    assert_eq!(count, users + 3, "{expect}: {}", run.all());
    took
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "3,100,1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let bed = Bed::new("bench2");
    bed.run(&["step1"]).assert_ok();
    let base = std::fs::read_to_string(bed.config_path()).unwrap();
    let mut rows = Vec::new();
    for &n in &sizes {
        std::fs::write(bed.config_path(), format!("{base}{}", users_yaml(n))).unwrap();
        let parallel_realm = format!("bench-{n}-par");
        let serial_realm = format!("bench-{n}-seq");
        let first = timed(&bed, &parallel_realm, 8, "created", n);
        let noop = timed(&bed, &parallel_realm, 8, "unchanged", n);
        let first_serial = timed(&bed, &serial_realm, 1, "created", n);
        let noop_serial = timed(&bed, &serial_realm, 1, "unchanged", n);
        println!(
            "{n} users: first {first:.2}s (serial {first_serial:.2}s), no-op {noop:.2}s (serial {noop_serial:.2}s)"
        );
        rows.push((n, first, first_serial, noop, noop_serial));
    }
    println!();
    println!("step2 users benchmark (one run per cell; concurrency 8 vs one request at a time)");
    println!("  users   first apply   serial    ratio   no-op    serial    ratio");
    for (n, first, first_serial, noop, noop_serial) in rows {
        println!(
            "  {n:5}   {first:8.2} s  {first_serial:7.2} s  {:5.2}x  {noop:6.2} s  {noop_serial:6.2} s  {:5.2}x",
            first_serial / first,
            noop_serial / noop
        );
    }
}
