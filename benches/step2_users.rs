//! Benchmark (not a test): step2 as the number of users grows, against the real Keycloak.
//!
//! For 3, 100 and 1,000 generated users: the first apply and a no-op re-run with the
//! default concurrency, and the same first apply and re-run one request at a time
//! (admin_concurrency: 1), each in a fresh realm. Run: `cargo bench --bench step2_users`
//! (BENCH_SIZES=3,100,1000 by default; 3,100 with BENCH_QUICK=1). Writes its section of
//! BENCHMARKS.md to target/bench-report/step2_users.md.

// The benches use a part of the integration tests' bed.
#[path = "../tests/it/support/mod.rs"]
#[allow(dead_code)]
mod common;
mod support;

use std::fmt::Write as _;
use std::time::Instant;

use common::Bed;
use support::report::{self, Report, Target, count, ratio, secs};

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
    // The realm, its two clients and the users; bridgectl's read-only client in master
    // is shared by the realms and is created (or given this realm's roles) only once.
    let count = run
        .stdout
        .lines()
        .filter(|line| !line.contains("client/bridgectl-reader"))
        .filter(|line| line.trim_start().starts_with(['+', '=', '~']))
        .filter(|line| line.split_whitespace().nth(1) == Some(expect))
        .count();
    assert_eq!(count, users + 3, "{expect}: {}", run.all());
    took
}

fn main() {
    let default_sizes = if report::quick() {
        "3,100"
    } else {
        "3,100,1000"
    };
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| default_sizes.into())
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

    let mut report = Report::new("step2_users", "step2 as users grow");
    report.text(
        "One run per cell, each in a fresh realm of the same Keycloak (started once by \
         `step1`); \"serial\" is the same bridgectl with `keycloak.admin_concurrency: 1` (one \
         request at a time), the other columns use the default of 8 requests in flight. \
         \"Speed-up\" is serial ÷ concurrent: above 1x, concurrency helps. The first realm \
         after Keycloak starts pays Keycloak's warm-up, so the first cell is pessimistic.",
    );
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|&(n, first, first_serial, noop, noop_serial)| {
            vec![
                count(n as f64),
                secs(first, 2),
                secs(first_serial, 2),
                ratio(first_serial / first),
                secs(noop, 2),
                secs(noop_serial, 2),
                ratio(noop_serial / noop),
            ]
        })
        .collect();
    report.table(
        &[
            "users",
            "first apply (8 in flight)",
            "serial",
            "speed-up",
            "no-op re-run (8 in flight)",
            "serial",
            "speed-up",
        ],
        &table,
    );
    // The targets are for 1,000 users; a smaller largest size is reported without them.
    let first_target = Target::at_most(15.0, "15 s");
    let noop_target = Target::at_most(5.0, "5 s");
    if let Some(&(n, first, _, noop, _)) = rows.iter().max_by_key(|row| row.0) {
        let at_target_size = n == 1000;
        for (what, value, target) in [
            ("first apply", first, &first_target),
            ("no-op re-run", noop, &noop_target),
        ] {
            report.headline(
                &format!("step2: {what}, {} users", count(n as f64)),
                secs(value, 2),
                if at_target_size { &target.label } else { "" },
                if at_target_size {
                    target.verdict(value)
                } else {
                    format!("target {} is for 1,000 users", target.label)
                },
            );
        }
        if !at_target_size {
            report.text(&format!(
                "Targets (1,000 users: first apply {}, no-op re-run {}): not measured in \
                 this run, whose largest size is {} users.",
                first_target.label,
                noop_target.label,
                count(n as f64)
            ));
        }
    }
    report.text(
        "Why the first-apply target of 1,000 users ≤ 15 s is out of reach with Keycloak's \
         default password hashing on two cores (measured separately on 2026-11-22 against the \
         same server, not by this bench): setting a password costs Keycloak about 80 ms of CPU \
         per user (100 users created one at a time took 9.17 s with credentials and 1.10 s \
         without), so 1,000 passwords are about 80 CPU-seconds, at least 40 s of wall time on \
         2 cores whatever the client does. That is also why concurrency does not help the \
         first apply (Keycloak is CPU-bound), while it does help the read-only no-op re-run. \
         Partial import was measured too (100 users 5.55 s, 500 users 40.8 s): the same \
         hashing cost, so bridgectl uses concurrent per-user requests, which report each \
         user's own error.",
    );
    report.finish();
}
