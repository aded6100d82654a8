//! Benchmark (not a test): the README's main job on a fresh clone of this commit, timed to
//! the green matrix: `scripts/sandbox-kit.sh && scripts/sandbox-run.sh` in a new clone
//! with a target directory of its own (so cargo builds bridgectl from nothing; its
//! registry cache and the kit's images are this machine's, as on any second clone).
//! Every line of output is stamped as it comes, which splits the time into the kit, the
//! release build, `sandbox up`, `all` and `verify`. Afterwards the clone's setup is
//! cleaned and the clone removed.
//! Run: `cargo bench --bench main_job` (one run: it builds the release binary, minutes).
//! Writes its section of BENCHMARKS.md to target/bench-report/main_job.md.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use support::report::{Figure, Report, Unit};

/// The moments (seconds since the start) the output first showed each marker.
struct Timeline {
    lines: Vec<(f64, String)>,
}

impl Timeline {
    fn first(&self, marker: &str) -> Option<f64> {
        self.lines
            .iter()
            .find(|(_, line)| line.contains(marker))
            .map(|(at, _)| *at)
    }
}

fn run_main_job(clone: &Path) -> (Timeline, f64, bool) {
    let started = Instant::now();
    let mut child = Command::new("bash")
        .arg("-c")
        .arg("scripts/sandbox-kit.sh && scripts/sandbox-run.sh")
        .current_dir(clone)
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO_TERM_COLOR", "never")
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the main job");
    // Both streams, stamped as they come, in one timeline.
    let (sender, receiver) = std::sync::mpsc::channel();
    let readers: Vec<_> = [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ]
    .into_iter()
    .map(|stream| {
        let sender = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = sender.send((started.elapsed().as_secs_f64(), line));
            }
        })
    })
    .collect();
    drop(sender);
    let mut lines = Vec::new();
    for (at, line) in receiver {
        println!("{at:7.1}s  {line}");
        lines.push((at, line));
    }
    readers.into_iter().for_each(|r| r.join().unwrap());
    let ok = child.wait().expect("wait for the main job").success();
    (Timeline { lines }, started.elapsed().as_secs_f64(), ok)
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let temp = tempfile::tempdir().expect("temp dir");
    let clone = temp.path().join("bridgectl");
    let cloned = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(repo)
        .arg(&clone)
        .status()
        .expect("git clone");
    assert!(cloned.success(), "git clone failed");

    let (timeline, total, ok) = run_main_job(&clone);
    let bridgectl = clone.join("target/release/bridgectl");
    let cleanup = |args: &[&str]| {
        let _ = Command::new(&bridgectl)
            .args(["--config", "scripts/sandbox.yaml"])
            .args(args)
            .current_dir(&clone)
            .output();
    };
    cleanup(&["clean", "--yes"]);
    cleanup(&["sandbox", "down"]);
    assert!(ok, "the main job failed (its output is above)");
    let matrix = timeline
        .lines
        .iter()
        .filter(|(_, line)| line.starts_with("user-"))
        .collect::<Vec<_>>();
    assert!(
        matrix.len() == 3
            && matrix
                .iter()
                .all(|(_, l)| !l.contains('✖') && l.contains('✔')),
        "the matrix is not green: {matrix:?}"
    );

    let at = |marker: &str| {
        timeline
            .first(marker)
            .unwrap_or_else(|| panic!("no line with {marker:?} in the main job's output"))
    };
    let build_started = at("[sandbox] building bridgectl");
    let build_done = at("Finished `release` profile");
    let after_build = total - build_done;
    let phases = [
        (
            "kit (`scripts/sandbox-kit.sh`, images cached)",
            build_started,
        ),
        (
            "release build of bridgectl, from nothing",
            build_done - build_started,
        ),
        (
            "`sandbox up`, `all`, `verify` (to the green matrix)",
            after_build,
        ),
    ];
    let mut report = Report::new(
        "main_job",
        "The README's main job on a fresh clone: time to the green matrix",
    );
    report.text(
        "One run of `scripts/sandbox-kit.sh && scripts/sandbox-run.sh` in a new `git clone` of \
         this commit with a target directory of its own: cargo compiles bridgectl and its \
         dependency tree from nothing (crates already downloaded on this machine), the kit's \
         images exist, and Keycloak's optimized image exists unless this machine never ran \
         bridgectl (then its one-time build, timed by the step1 bench, adds to `all`). The \
         output's lines are stamped as they come; the phases below split the wall time at \
         the first line of each.",
    );
    let rows: Vec<Vec<String>> = phases
        .iter()
        .map(|(phase, secs)| vec![phase.to_string(), format!("{secs:.1} s")])
        .collect();
    report.table(&["phase", "took"], &rows);
    report.figures(&[
        Figure::new(
            "main job, fresh clone: to the green matrix",
            &[total],
            Unit::Secs(1),
        )
        .headline("README main job, fresh clone: to the green matrix"),
        Figure::new(
            "of which after the build: `sandbox up`, `all`, `verify`",
            &[after_build],
            Unit::Secs(1),
        )
        .headline("README main job after the build"),
    ]);
    report.finish();
}
