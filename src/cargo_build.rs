//! Release binaries of this workspace's own packages (the demo app, the OpenShift
//! simulator): the one named in the configuration, or built with cargo from the source
//! tree (cargo itself decides whether anything needs compiling).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::config::Config;
use crate::reconcile::Gate;
use crate::ui::{Ui, tail_indented};

/// A package of the workspace and where a prebuilt binary of it may be configured.
pub struct Package<'a> {
    /// The package (and binary) name, also its directory in the source tree.
    pub name: &'a str,
    /// A prebuilt binary from the configuration, and the field that named it.
    pub prebuilt: Option<&'a Path>,
    pub prebuilt_field: &'a str,
}

/// Where a binary came from.
pub struct Binary {
    pub path: PathBuf,
}

impl Binary {
    pub fn contents(&self) -> Result<Vec<u8>> {
        std::fs::read(&self.path)
            .with_context(|| format!("cannot read the binary {}", self.path.display()))
    }
}

/// The configured binary, or a fresh cargo build. A plan compiles nothing: it uses the
/// last build, and says so.
pub async fn obtain(package: &Package<'_>, config: &Config, ui: &Ui, gate: Gate) -> Result<Binary> {
    let name = package.name;
    let path = match package.prebuilt {
        Some(path) => path.to_path_buf(),
        None => {
            let source = source_dir(name, config)?;
            let built = gate
                .unless_planning(async { cargo_build(name, &source, ui) })
                .await?;
            built.unwrap_or_else(|| {
                let path = target_dir(&source).join("release").join(name);
                ui.info(format!(
                    "dry run: comparing the last build of {name} ({}); sources are not compiled",
                    path.display()
                ));
                path
            })
        }
    };
    if !path.is_file() {
        bail!(
            "there is no {name} binary at {} (set {}, or let bridgectl build it from source_dir)",
            path.display(),
            package.prebuilt_field
        );
    }
    Ok(Binary { path })
}

/// `source_dir`, else the current directory, else the tree bridgectl was built from.
fn source_dir(package: &str, config: &Config) -> Result<PathBuf> {
    let has_app = |dir: &Path| dir.join(package).join("Cargo.toml").is_file();
    if let Some(dir) = &config.source_dir {
        if has_app(dir) {
            return Ok(dir.clone());
        }
        bail!(
            "source_dir {} has no {package}/Cargo.toml; point it at a bridgectl source tree",
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
                "cannot find the sources of {package}: set source_dir to a bridgectl source \
                 tree (the directory holding {package}/), or set a prebuilt binary"
            )
        })
}

fn target_dir(source: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| source.join("target"))
}

/// `cargo build --release -p <package>`; the binary's path comes from cargo's own report.
fn cargo_build(package: &str, source: &Path, ui: &Ui) -> Result<PathBuf> {
    let spinner = ui.spinner(format!(
        "building {package} (cargo, in {})",
        source.display()
    ));
    let output = Command::new("cargo")
        .args(["build", "--release", "--message-format=json", "-p", package])
        .arg("--manifest-path")
        .arg(source.join("Cargo.toml"))
        .output();
    spinner.finish_and_clear();
    let output = match output {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "cargo is not installed, so bridgectl cannot build {package}; install Rust \
             (https://rustup.rs) or set a prebuilt binary"
        ),
        Err(err) => bail!("cannot run cargo: {err}"),
    };
    if !output.status.success() {
        bail!(
            "cargo could not build {package}:\n{}",
            tail_indented(&String::from_utf8_lossy(&output.stderr), 15)
        );
    }
    executable_from_messages(package, &String::from_utf8_lossy(&output.stdout)).ok_or_else(|| {
        anyhow::anyhow!("cargo built {package} but did not report where the binary is")
    })
}

fn executable_from_messages(package: &str, stdout: &str) -> Option<PathBuf> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == package)
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
            executable_from_messages("demo-app", stdout),
            Some(PathBuf::from("/t/release/demo-app"))
        );
        assert_eq!(executable_from_messages("demo-app", "not json\n"), None);
    }
}
