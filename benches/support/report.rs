//! Shared by every benchmark: run counts (full or `BENCH_QUICK=1`), medians, number
//! formatting, and the report section each bench writes.
//!
//! A bench builds a [`Report`] (prose, tables, headline figures) and calls
//! [`Report::finish`], which prints the section to stdout and writes it to
//! `target/bench-report/<bench>.md`, and its headline rows to
//! `target/bench-report/<bench>.summary.md`. `scripts/bench.sh` puts the sections together
//! into BENCHMARKS.md in a fixed order, under a description of the machine.

use std::fmt::Write as _;
use std::path::PathBuf;

/// The environment variables that change what a bench measures; the command recorded in
/// the report names those that are set.
const SETTINGS: [&str; 5] = [
    "BENCH_QUICK",
    "BENCH_ROUNDS",
    "BENCH_SIZES",
    "BENCH_SUITE",
    "BENCH_SUITE_RECORD",
];

/// `BENCH_QUICK=1` (anything but empty or 0): fewer rounds, for a fast check.
pub fn quick() -> bool {
    std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `full` runs normally, `quick` with `BENCH_QUICK=1`.
pub fn runs(full: usize, quick_runs: usize) -> usize {
    if quick() { quick_runs } else { full }
}

/// The median: the middle value, or the mean of the two middle values.
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "median of no values");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

pub fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

pub fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Seconds with `decimals` places: "43.53 s".
pub fn secs(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$} s")
}

/// Seconds as milliseconds: "2.41 ms".
pub fn millis(seconds: f64) -> String {
    format!("{:.2} ms", seconds * 1000.0)
}

/// A count with thousands separators: 53672.4 -> "53,672".
pub fn count(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < -0.5 {
        grouped.insert(0, '-');
    }
    grouped
}

/// Bytes as MiB with the exact count: "12.31 MiB (12,908,544 bytes)".
pub fn bytes(value: u64) -> String {
    format!(
        "{:.2} MiB ({} bytes)",
        value as f64 / 1024.0 / 1024.0,
        count(value as f64)
    )
}

/// A ratio: "0.30x".
pub fn ratio(value: f64) -> String {
    format!("{value:.2}x")
}

/// Values as "min..max" with the given formatting.
pub fn range(values: &[f64], format: impl Fn(f64) -> String) -> String {
    format!("{}..{}", format(min(values)), format(max(values)))
}

/// Every run, in the order measured, with `decimals` places and no unit: "0.78 0.63 0.72".
pub fn list(values: &[f64], decimals: usize) -> String {
    values
        .iter()
        .map(|v| format!("{v:.decimals$}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which side of a target is good.
#[derive(Clone, Copy)]
pub enum Goal {
    /// Times, memory: the figure must stay at or below the target.
    AtMost,
    /// Throughput: the figure must reach at least the target.
    AtLeast,
}

/// A target: its bound, which side is good, and how it reads ("≤ 2 s").
pub struct Target {
    pub bound: f64,
    pub goal: Goal,
    pub label: String,
}

impl Target {
    pub fn at_most(bound: f64, label: &str) -> Target {
        Target {
            bound,
            goal: Goal::AtMost,
            label: format!("≤ {label}"),
        }
    }

    pub fn at_least(bound: f64, label: &str) -> Target {
        Target {
            bound,
            goal: Goal::AtLeast,
            label: format!("≥ {label}"),
        }
    }

    pub fn met(&self, value: f64) -> bool {
        match self.goal {
            Goal::AtMost => value <= self.bound,
            Goal::AtLeast => value >= self.bound,
        }
    }

    /// "0.30x, met": the figure divided by the target, and the verdict.
    pub fn verdict(&self, value: f64) -> String {
        let word = if self.met(value) {
            "met"
        } else {
            "**NOT met**"
        };
        format!("{}, {word}", ratio(value / self.bound))
    }
}

/// How a figure's values read.
#[derive(Clone, Copy)]
pub enum Unit {
    /// Seconds with this many decimals.
    Secs(usize),
    /// Seconds, shown as milliseconds.
    Millis,
    /// Requests per second.
    PerSec,
    /// Megabytes (MiB) with one decimal.
    Mb,
}

impl Unit {
    pub fn show(self, value: f64) -> String {
        match self {
            Unit::Secs(decimals) => secs(value, decimals),
            Unit::Millis => millis(value),
            Unit::PerSec => format!("{} req/s", count(value)),
            Unit::Mb => format!("{value:.1} MB"),
        }
    }

    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Secs(_) => "s",
            Unit::Millis => "ms",
            Unit::PerSec => "req/s",
            Unit::Mb => "MB",
        }
    }

    /// Every run in this unit, as the "runs" column shows them: "0.78 0.63 0.72 s".
    pub fn list(self, values: &[f64]) -> String {
        let numbers = self.numbers(values);
        format!("{numbers} {}", self.suffix())
    }

    fn numbers(self, values: &[f64]) -> String {
        match self {
            Unit::Secs(decimals) => list(values, decimals),
            Unit::Millis => list(&values.iter().map(|v| v * 1000.0).collect::<Vec<_>>(), 2),
            Unit::PerSec => values
                .iter()
                .map(|v| count(*v))
                .collect::<Vec<_>>()
                .join(" "),
            Unit::Mb => list(values, 1),
        }
    }
}

/// One row of a figures table: a measure, every run of it, and its target or a note.
pub struct Figure<'a> {
    label: String,
    runs: &'a [f64],
    unit: Unit,
    target: Option<Target>,
    note: String,
    headline: Option<String>,
}

impl<'a> Figure<'a> {
    pub fn new(label: &str, runs: &'a [f64], unit: Unit) -> Figure<'a> {
        Figure {
            label: label.to_string(),
            runs,
            unit,
            target: None,
            note: String::new(),
            headline: None,
        }
    }

    pub fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    /// Shown in the ratio column of a figure without a target.
    pub fn note(mut self, note: String) -> Self {
        self.note = note;
        self
    }

    /// Also list this figure, under `name`, in the summary at the top of BENCHMARKS.md.
    pub fn headline(mut self, name: &str) -> Self {
        self.headline = Some(name.to_string());
        self
    }

    pub fn median(&self) -> f64 {
        median(self.runs)
    }
}

/// The command that runs `bench` with the settings of this run: "BENCH_QUICK=1 cargo bench --bench step1".
pub fn command(bench: &str) -> String {
    let mut line = String::new();
    for name in SETTINGS {
        if let Ok(value) = std::env::var(name) {
            let _ = write!(line, "{name}={value} ");
        }
    }
    let _ = write!(line, "cargo bench --bench {bench}");
    line
}

/// Now in UTC: "2026-11-23 04:10 UTC".
pub fn now_utc() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute()
    )
}

/// Where the sections go: `target/bench-report`.
pub fn report_dir() -> PathBuf {
    super::build::target_dir().join("bench-report")
}

/// One bench's section of BENCHMARKS.md.
pub struct Report {
    bench: String,
    body: String,
    summary: Vec<[String; 4]>,
}

impl Report {
    /// A section headed `title`; the command that produces it and the date are stamped in.
    pub fn new(bench: &str, title: &str) -> Report {
        let mut body = String::new();
        let _ = writeln!(body, "## {title}\n");
        let _ = writeln!(
            body,
            "Produced by `{}`, {}{}.\n",
            command(bench),
            now_utc(),
            if quick() {
                " — **quick run** (`BENCH_QUICK=1`: fewer rounds; indicative only)"
            } else {
                ""
            }
        );
        Report {
            bench: bench.to_string(),
            body,
            summary: Vec::new(),
        }
    }

    /// A paragraph of prose (wrapped lines are fine: markdown joins them).
    pub fn text(&mut self, paragraph: &str) -> &mut Self {
        let _ = writeln!(self.body, "{}\n", paragraph.trim());
        self
    }

    /// A markdown table; cells may hold markdown.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> &mut Self {
        let _ = writeln!(self.body, "| {} |", header.join(" | "));
        let _ = writeln!(self.body, "|{}", "---|".repeat(header.len()));
        for row in rows {
            assert_eq!(row.len(), header.len(), "a row of {} cells", header.len());
            let _ = writeln!(self.body, "| {} |", row.join(" | "));
        }
        self.body.push('\n');
        self
    }

    /// A table of figures: median, min..max, target, ratio to it (or a note), every run.
    pub fn figures(&mut self, figures: &[Figure]) -> &mut Self {
        let rows: Vec<Vec<String>> = figures
            .iter()
            .map(|f| {
                let m = f.median();
                vec![
                    f.label.clone(),
                    f.unit.show(m),
                    if f.runs.len() > 1 {
                        range(f.runs, |v| f.unit.show(v))
                    } else {
                        String::new()
                    },
                    f.target.as_ref().map_or(String::new(), |t| t.label.clone()),
                    f.target.as_ref().map_or(f.note.clone(), |t| t.verdict(m)),
                    f.unit.list(f.runs),
                ]
            })
            .collect();
        self.table(
            &[
                "measure",
                "median",
                "min..max",
                "target",
                "ratio",
                "runs, in order",
            ],
            &rows,
        );
        for f in figures {
            if let Some(name) = &f.headline {
                let target = f.target.as_ref();
                self.headline(
                    name,
                    f.unit.show(f.median()),
                    target.map_or("", |t| t.label.as_str()),
                    target.map_or(f.note.clone(), |t| t.verdict(f.median())),
                );
            }
        }
        self
    }

    /// A row of the summary at the top of BENCHMARKS.md: the figure, its median, the
    /// target and the verdict (empty where there is no target); the command is added.
    pub fn headline(&mut self, figure: &str, median: String, target: &str, verdict: String) {
        self.summary
            .push([figure.to_string(), median, target.to_string(), verdict]);
    }

    /// Prints the section and writes it (and its headline rows) under [`report_dir`].
    pub fn finish(&self) {
        println!("\n{}", self.body.trim_end());
        let dir = report_dir();
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let section = dir.join(format!("{}.md", self.bench));
        std::fs::write(&section, &self.body)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", section.display()));
        let mut rows = String::new();
        for [figure, median, target, verdict] in &self.summary {
            let _ = writeln!(
                rows,
                "| {figure} | {median} | {target} | {verdict} | `{}` |",
                command(&self.bench)
            );
        }
        let summary = dir.join(format!("{}.summary.md", self.bench));
        std::fs::write(&summary, rows)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", summary.display()));
        println!("\n(section written to {})", section.display());
    }
}
