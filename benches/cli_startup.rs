//! The release binaries' sizes and `bridgectl --help` start time.
//!
//! `cargo bench --bench cli_startup` builds bridgectl, the demo app and the simulator with
//! `cargo build --release -p <package>` (one package per build, as scripts/sandbox-run.sh
//! and bridgectl itself ask cargo) and records each binary's size. It then times
//! `bridgectl --help`, from spawn to exit, against spawning `/bin/true` (the floor: what
//! starting any process costs on this machine), alternating the two so that both see the
//! same load: 50 runs each after 3 warm-ups (20 with BENCH_QUICK=1). Target: median
//! `--help` <= 50 ms. Writes its section of BENCHMARKS.md to
//! target/bench-report/cli_startup.md.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use support::report::{self, Figure, Report, Target, Unit, bytes, median, millis, ratio};

const PACKAGES: [&str; 3] = ["bridgectl", "demo-app", "ocp-sim"];
const WARM_UPS: usize = 3;

fn main() {
    let runs = report::runs(50, 20);
    let sizes: Vec<(&str, u64)> = PACKAGES
        .iter()
        .map(|package| {
            let binary = support::build::release_binary(package);
            let size = std::fs::metadata(&binary)
                .unwrap_or_else(|e| panic!("{}: {e}", binary.display()))
                .len();
            println!("{package}: {size} bytes");
            (*package, size)
        })
        .collect();

    // A private copy of the binary just built: other cargo runs may replace the original.
    let work = tempfile::tempdir().expect("a temporary directory");
    let bridgectl = work.path().join("bridgectl");
    let built = support::build::target_dir().join("release/bridgectl");
    std::fs::copy(built, &bridgectl).expect("copy bridgectl");
    let help = Command::new(&bridgectl)
        .arg("--help")
        .current_dir(work.path())
        .output()
        .expect("run bridgectl --help");
    assert!(
        help.status.success() && String::from_utf8_lossy(&help.stdout).contains("Usage"),
        "bridgectl --help did not print its usage:\n{}",
        String::from_utf8_lossy(&help.stderr)
    );

    let floor = Path::new("/bin/true");
    let (mut help_times, mut floor_times) = (Vec::new(), Vec::new());
    for i in 0..WARM_UPS + runs {
        let t = spawn_time(floor, &[], work.path());
        let h = spawn_time(&bridgectl, &["--help"], work.path());
        if i >= WARM_UPS {
            floor_times.push(t);
            help_times.push(h);
        }
    }
    let (help_median, floor_median) = (median(&help_times), median(&floor_times));
    println!(
        "bridgectl --help {} median, /bin/true {} median",
        millis(help_median),
        millis(floor_median)
    );

    let mut report = Report::new(
        "cli_startup",
        "Binary sizes and `bridgectl --help` start time",
    );
    let profile = if include_str!("../Cargo.toml").contains("[profile.release]") {
        "the release profile of Cargo.toml"
    } else {
        "cargo's default release profile (Cargo.toml sets none)"
    };
    report.text(&format!(
        "Each binary is built with `cargo build --release -p <package>`, one package per \
         build, with {profile}; the size is the file's, as built (not stripped further)."
    ));
    let rows: Vec<Vec<String>> = sizes
        .iter()
        .map(|(package, size)| {
            vec![
                format!("`{package}`"),
                bytes(*size),
                format!("`cargo build --release -p {package}`"),
            ]
        })
        .collect();
    report.table(&["binary", "size", "built by"], &rows);
    for (package, size) in &sizes {
        report.headline(
            &format!("release binary size: `{package}`"),
            bytes(*size),
            "",
            String::new(),
        );
    }
    report.text(&format!(
        "Start time: `bridgectl --help` from spawn to exit (output to /dev/null), against \
         spawning `/bin/true` the same way, the floor of any process start here. The two \
         alternate, {runs} runs each after {WARM_UPS} warm-ups of each; the binary is a \
         private copy of the one just built."
    ));
    report.figures(&[
        Figure::new("`bridgectl --help`", &help_times, Unit::Millis)
            .target(Target::at_most(0.050, "50 ms"))
            .headline("`bridgectl --help` start time"),
        Figure::new("`/bin/true` (floor)", &floor_times, Unit::Millis).note(format!(
            "`--help` ÷ floor: {}; `--help` − floor: {}",
            ratio(help_median / floor_median),
            millis(help_median - floor_median)
        )),
    ]);
    report.finish();
}

/// Seconds from spawning `program` to its exit; it must succeed.
fn spawn_time(program: &Path, args: &[&str], cwd: &Path) -> f64 {
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
    let took = started.elapsed().as_secs_f64();
    assert!(status.success(), "{} {args:?} failed", program.display());
    took
}
