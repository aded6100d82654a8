//! Benchmark (not a test): Keycloak's time to ready in its two modes, side by side, and
//! step1's cost beyond it.
//!
//! First the derived image of the optimized mode is removed and built again by a `step1`
//! (its one-time cost). Then, per round, a fresh state directory and container for each
//! mode in turn (optimized, then `start-dev`): a first `step1` makes the certificates and
//! secrets, its container is removed, and the timed cold `step1 -v` (images present,
//! container absent) measures the container path only. bridgectl's own report of how long
//! it waited (container start to Keycloak's first HTTPS answer, polled every 100 ms) is
//! Keycloak's time to ready; the rest of the wall time is bridgectl's overhead. No-op
//! re-runs are timed separately.
//! Run: `cargo bench --bench step1` (3 rounds; BENCH_ROUNDS=N, or 1 with BENCH_QUICK=1).
//! Writes its section of BENCHMARKS.md to target/bench-report/step1.md.

// The benches use a part of the integration tests' bed.
#[path = "../tests/it/support/mod.rs"]
#[allow(dead_code)]
mod common;
mod support;

use std::time::Instant;

use common::{Bed, podman};
use support::report::{self, Figure, Report, Target, Unit, median, ratio};

const MODES: [&str; 2] = ["optimized", "start-dev"];

/// "Keycloak answered at … after 45.1s" from bridgectl -v.
fn waited_for_keycloak(stderr: &str) -> f64 {
    stderr
        .lines()
        .find_map(|line| line.split("after ").nth(1)?.strip_suffix('s')?.parse().ok())
        .unwrap_or_else(|| panic!("no readiness time in:\n{stderr}"))
}

fn bed(mode: &str) -> Bed {
    let bed = Bed::new("bench");
    bed.write_config(&format!("  mode: {mode}\n"));
    bed
}

/// The derived image's tag, as step1 reported it.
fn optimized_image(output: &str) -> Option<String> {
    output
        .split_whitespace()
        .find_map(|word| word.strip_prefix("image/"))
        .filter(|image| image.contains("keycloak-optimized"))
        .map(String::from)
}

struct Mode {
    cold: Vec<f64>,
    waits: Vec<f64>,
    overhead: Vec<f64>,
}

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| report::runs(3, 1));
    let noops_per_round = report::runs(5, 3);

    // The one-time build: the derived image removed (when no container uses it), then
    // built again by a plan-free step1.
    let first = bed("optimized");
    let plan = first.run(&["--dry-run", "step1"]);
    plan.assert_ok();
    let tag = optimized_image(&plan.stdout).expect("the dry run names the derived image");
    let _ = podman(&["rmi", &tag]);
    let started = Instant::now();
    let built = first.run(&["-v", "step1"]);
    built.assert_ok();
    let first_step1 = started.elapsed().as_secs_f64();
    let first_wait = waited_for_keycloak(&built.stderr);
    let build_time = first_step1 - first_wait;
    let rebuilt = built.outcome_of(&format!("image/{tag}")).as_deref() == Some("created");
    println!(
        "derived image {tag}: step1 {first_step1:.2}s, of which Keycloak answering {first_wait:.2}s"
    );
    drop(first);

    let mut modes: Vec<Mode> = MODES
        .iter()
        .map(|_| Mode {
            cold: vec![],
            waits: vec![],
            overhead: vec![],
        })
        .collect();
    let mut noop = vec![];
    for round in 1..=rounds {
        for (mode, figures) in MODES.iter().zip(modes.iter_mut()) {
            let bed = bed(mode);
            // Certificates and secrets first, so the cold run measures the container path.
            bed.run(&["step1"]).assert_ok();
            let _ = podman(&["rm", "-f", "-t", "0", &bed.container]);
            let started = Instant::now();
            let cold_run = bed.run(&["-v", "step1"]);
            let t = started.elapsed().as_secs_f64();
            cold_run.assert_ok();
            let waited = waited_for_keycloak(&cold_run.stderr);
            if *mode == "optimized" {
                for _ in 0..noops_per_round {
                    let started = Instant::now();
                    bed.run(&["step1"]).assert_ok();
                    noop.push(started.elapsed().as_secs_f64());
                }
            }
            println!(
                "round {round}, {mode}: cold step1 {t:.2}s, Keycloak ready after {waited:.2}s, \
                 bridgectl's own time {:.2}s",
                t - waited
            );
            figures.cold.push(t);
            figures.waits.push(waited);
            figures.overhead.push(t - waited);
        }
    }

    let mut report = Report::new(
        "step1",
        "step1 — Keycloak's time to ready, optimized and `start-dev`, and bridgectl's overhead",
    );
    let first = match rebuilt {
        true => format!(
            "First the derived image of the optimized mode ({tag}) is removed and a `step1` \
             builds it again: {first_step1:.1} s, of which {build_time:.1} s before Keycloak's \
             start (the one-time `kc.sh build` through the engine's build API) and \
             {first_wait:.1} s for Keycloak to answer."
        ),
        false => format!(
            "The derived image of the optimized mode ({tag}) was in use by another container, \
             so its one-time build was not measured in this run."
        ),
    };
    report.text(&format!(
        "{first} Then {rounds} round(s), each starting a \
         Keycloak in each mode in turn on the same machine: a fresh state directory and \
         container, a first `step1` for the certificates and secrets, its container removed, \
         and the timed cold `step1 -v` (images present, container absent, empty data \
         volume). \"Ready\" is bridgectl's own measurement from container start to \
         Keycloak's first HTTPS answer on the master realm (verified against our CA, polled \
         every 100 ms); the rest of the wall time is bridgectl's overhead. The no-op re-run \
         is `step1` again on the running optimized container, {noops_per_round} times per \
         round."
    ));
    let [optimized, dev] = &modes[..] else {
        unreachable!()
    };
    let speedup = median(&dev.waits) / median(&optimized.waits);
    report.figures(&[
        Figure::new(
            "Keycloak ready, **optimized** (`start --optimized`)",
            &optimized.waits,
            Unit::Secs(2),
        )
        .target(Target::at_most(20.0, "20 s"))
        .headline("Keycloak's time to ready, optimized")
        .note(format!("start-dev ÷ optimized: {}", ratio(speedup))),
        Figure::new("Keycloak ready, `start-dev`", &dev.waits, Unit::Secs(2))
            .headline("Keycloak's time to ready, start-dev"),
        Figure::new("cold step1, optimized", &optimized.cold, Unit::Secs(2)),
        Figure::new("cold step1, start-dev", &dev.cold, Unit::Secs(2)),
        Figure::new(
            "**bridgectl overhead** (wall − ready), optimized",
            &optimized.overhead,
            Unit::Secs(2),
        )
        .target(Target::at_most(2.0, "2 s"))
        .headline("step1: overhead beyond Keycloak's start"),
        Figure::new(
            "bridgectl overhead, start-dev",
            &dev.overhead,
            Unit::Secs(2),
        ),
        Figure::new("**no-op re-run**", &noop, Unit::Secs(3))
            .target(Target::at_most(1.0, "1 s"))
            .headline("step1: no-op re-run"),
    ]);
    report.finish();
}
