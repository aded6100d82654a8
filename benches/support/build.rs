//! The workspace's release binaries, built the way bridgectl and the scripts build them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's target directory (`CARGO_TARGET_DIR`, relative to the workspace, or
/// `target`).
pub fn target_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| root.join(dir))
        .unwrap_or_else(|| root.join("target"))
}

/// `cargo build --release -p <package>`, one package per build (as bridgectl asks cargo, so
/// features unify the same way and nothing is rebuilt later); the binary of that name.
pub fn release_binary(package: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", package, "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .status()
        .expect("run cargo");
    assert!(status.success(), "building {package} failed");
    target_dir().join("release").join(package)
}
