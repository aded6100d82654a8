//! What shells and `man` need: completion scripts and man pages, made by clap from the
//! same definitions that parse the command line, so they never drift from it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::cli::Cli;

/// Prints the completion script for `shell` on stdout.
pub fn completion(shell: clap_complete::Shell) -> ExitCode {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "bridgectl", &mut std::io::stdout());
    ExitCode::SUCCESS
}

/// Writes `bridgectl.1` and `bridgectl-<command>.1` for each visible command into `dir`.
pub fn man(dir: &Path) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
    eprintln!("man pages written to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
