//! Benchmark (not a test): the whole test suite's wall time, `scripts/test.sh`.
//!
//! The suite takes over half an hour, so by default this reports the last run that
//! `scripts/test.sh` recorded (its wall time, commit, date and result, in
//! target/suite-wall-time.tsv, or the file BENCH_SUITE_RECORD names: a run in another
//! clone, as CI makes). With BENCH_SUITE=1 it runs the suite itself first.
//! Run: `cargo bench --bench suite`. Writes its section of BENCHMARKS.md to
//! target/bench-report/suite.md.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::report::{Figure, Report, Unit};

fn record_path() -> PathBuf {
    if let Some(path) = std::env::var_os("BENCH_SUITE_RECORD") {
        return path.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("suite-wall-time.tsv")
}

fn main() {
    let ran_now = std::env::var("BENCH_SUITE").is_ok_and(|v| !v.is_empty() && v != "0");
    if ran_now {
        let status = Command::new("scripts/test.sh")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run scripts/test.sh");
        assert!(status.success(), "the suite failed");
    }
    let path = record_path();
    let record = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "no record of a suite run at {} ({err}): run scripts/test.sh, or BENCH_SUITE=1",
            path.display()
        )
    });
    let fields: Vec<&str> = record.trim_end().split('\t').collect();
    let [secs, commit, date, result] = fields[..] else {
        panic!("{} is not a suite record: {record:?}", path.display());
    };
    let secs: f64 = secs.parse().expect("the suite's seconds");

    let mut report = Report::new("suite", "The whole test suite");
    report.text(&format!(
        "`scripts/test.sh` (the README's test command: the kit, the release build, then every \
         test, two at a time per test binary) {}: commit {commit}, finished {date}, {result}. \
         Its wall time includes building the test binaries when they are not built yet.",
        if ran_now {
            "run by this bench".to_string()
        } else {
            format!("as recorded by its last run ({})", path.display())
        }
    ));
    report.figures(&[Figure::new("suite wall time", &[secs], Unit::Secs(0))
        .headline("the whole test suite (`scripts/test.sh`)")]);
    report.finish();
}
