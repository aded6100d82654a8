//! How results reach people and scripts: the table (text) or a JSON/YAML document on
//! stdout, and the exit code. The documents are a stable interface (README, "Output for
//! scripts"): every one has `command`; reports list `changes` as {kind, name, outcome,
//! details}; fields are only ever added.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::reconcile::{Change, Report};
use crate::ui::out;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Text for people
    #[default]
    Table,
    /// One JSON document
    Json,
    /// One YAML document
    Yaml,
}

/// Exit codes, as terraform's `-detailed-exitcode` and monitoring checks use them.
pub mod exit {
    /// Done; nothing to change; healthy.
    pub const OK: u8 = 0;
    /// Could not do it or could not check: the message on stderr says why.
    pub const ERROR: u8 = 1;
    /// With `--detailed-exitcode`: changes planned (or made). For `status` and `verify`:
    /// checked, and something is off.
    pub const CHANGES_OR_UNHEALTHY: u8 = 2;
}

/// The choices of the command line that shape output.
#[derive(Debug, Clone, Copy, Default)]
pub struct Output {
    pub format: Format,
    /// `-q`: no table (documents asked for with `-o` still print).
    pub quiet: bool,
    /// `--detailed-exitcode`: exit 2 when a report has changes.
    pub detailed_exitcode: bool,
}

impl Output {
    /// Prints `document` in the chosen format, or `table()` for people.
    pub fn print<T: Serialize>(&self, document: &T, table: impl FnOnce() -> String) -> Result<()> {
        match self.format {
            Format::Table if self.quiet => {}
            Format::Table => out(table()),
            Format::Json => out(format!("{}\n", serde_json::to_string_pretty(document)?)),
            Format::Yaml => out(serde_yaml::to_string(document)?),
        }
        Ok(())
    }

    /// The exit code of a command that ended well and changed (or would change) `changed`.
    pub fn exit_for(&self, changed: bool) -> ExitCode {
        if self.detailed_exitcode && changed {
            ExitCode::from(exit::CHANGES_OR_UNHEALTHY)
        } else {
            ExitCode::from(exit::OK)
        }
    }
}

/// The exit code of a check (`status`, `verify`) that could run.
pub fn check_exit(healthy: bool) -> ExitCode {
    ExitCode::from(if healthy {
        exit::OK
    } else {
        exit::CHANGES_OR_UNHEALTHY
    })
}

/// The document of one report: a step, `clean`, `sandbox up|down`.
#[derive(Debug, Serialize)]
pub struct ReportDocument<'a> {
    pub command: &'a str,
    /// A dry run: `changes` are planned, not made.
    pub plan: bool,
    /// Whether anything was (or would be) created, updated or deleted.
    pub changed: bool,
    pub summary: String,
    pub changes: &'a [Change],
}

impl<'a> ReportDocument<'a> {
    pub fn new(command: &'a str, report: &'a Report) -> Self {
        ReportDocument {
            command,
            plan: report.is_plan(),
            changed: report.wrote_anything(),
            summary: report.summary(),
            changes: &report.changes,
        }
    }
}

/// Prints a report and returns its exit code.
pub fn report(output: &Output, command: &str, report: &Report) -> Result<ExitCode> {
    output.print(&ReportDocument::new(command, report), || report.render())?;
    Ok(output.exit_for(report.wrote_anything()))
}

#[cfg(test)]
mod tests;
