//! The demo app's release binary: the one named in the configuration, or built with cargo
//! from the source tree (cargo itself decides whether anything needs compiling).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::config::Config;
use crate::ui::Ui;

const PACKAGE: &str = "demo-app";

/// The binary's bytes and where they came from.
pub struct Binary {
    pub path: PathBuf,
    pub contents: Vec<u8>,
}

/// Reads the configured binary, or builds it. A dry run compiles nothing: it uses the
/// last build, and says so.
pub fn obtain(config: &Config, ui: &Ui, dry_run: bool) -> Result<Binary> {
    if let Some(path) = &config.app.binary {
        return read(path, "app.binary");
    }
    let source = source_dir(config)?;
    let path = if dry_run {
        let path = target_dir(&source).join("release").join(PACKAGE);
        ui.info(format!(
            "dry run: comparing the last build of the demo app ({}); sources are not compiled",
            path.display()
        ));
        path
    } else {
        cargo_build(&source, ui)?
    };
    read(&path, "app.binary")
}

fn read(path: &Path, field: &str) -> Result<Binary> {
    let contents = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the demo app binary {} (set {field}, or let step4 build it)",
            path.display()
        )
    })?;
    Ok(Binary {
        path: path.to_path_buf(),
        contents,
    })
}

/// `app.source_dir`, else the current directory, else the tree bridgectl was built from.
fn source_dir(config: &Config) -> Result<PathBuf> {
    let has_app = |dir: &Path| dir.join(PACKAGE).join("Cargo.toml").is_file();
    if let Some(dir) = &config.app.source_dir {
        if has_app(dir) {
            return Ok(dir.clone());
        }
        bail!(
            "app.source_dir {} has no {PACKAGE}/Cargo.toml; point it at a bridgectl source tree",
            dir.display()
        );
    }
    let candidates = [
        std::env::current_dir().ok(),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|dir| has_app(dir))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "step4 cannot find the demo app's sources: set app.source_dir to a bridgectl \
                 source tree (the directory holding {PACKAGE}/), or app.binary to a built {PACKAGE} binary"
            )
        })
}

fn target_dir(source: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| source.join("target"))
}

/// `cargo build --release -p demo-app`; the binary's path comes from cargo's own report.
fn cargo_build(source: &Path, ui: &Ui) -> Result<PathBuf> {
    let spinner = ui.spinner(format!(
        "building the demo app (cargo, in {})",
        source.display()
    ));
    let output = Command::new("cargo")
        .args(["build", "--release", "--message-format=json", "-p", PACKAGE])
        .arg("--manifest-path")
        .arg(source.join("Cargo.toml"))
        .output();
    spinner.finish_and_clear();
    let output = match output {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "cargo is not installed, so step4 cannot build the demo app; install Rust \
             (https://rustup.rs) or set app.binary to a built {PACKAGE} binary"
        ),
        Err(err) => bail!("cannot run cargo: {err}"),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        bail!(
            "cargo could not build the demo app:\n{}",
            tail.into_iter()
                .rev()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    executable_from_messages(&String::from_utf8_lossy(&output.stdout)).ok_or_else(|| {
        anyhow::anyhow!("cargo built the demo app but did not report where the binary is")
    })
}

fn executable_from_messages(stdout: &str) -> Option<PathBuf> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == PACKAGE)
        .filter_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_is_taken_from_cargos_artifact_message() {
        let stdout = r#"{"reason":"compiler-artifact","target":{"name":"serde"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"demo-app","kind":["lib"]},"executable":null}
{"reason":"compiler-artifact","target":{"name":"demo-app","kind":["bin"]},"executable":"/t/release/demo-app"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable_from_messages(stdout),
            Some(PathBuf::from("/t/release/demo-app"))
        );
        assert_eq!(executable_from_messages("not json\n"), None);
    }
}
