#!/usr/bin/env bash
# The checks besides the tests, as CI runs them: formatting, clippy over the whole
# workspace (every crate, every target), and cargo-deny (licenses, bans, sources; see
# deny.toml for why not advisories). Installs the pinned cargo-deny when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
deny_version=0.20.2
started_at=$(date +%s)
echo "[lint] cargo fmt --check" >&2
cargo fmt --all -- --check
echo "[lint] cargo clippy --workspace --all-targets" >&2
cargo clippy --workspace --all-targets -- -D warnings
if ! cargo deny --version 2>/dev/null | grep -q " $deny_version$"; then
  echo "[lint] installing cargo-deny $deny_version (once, ~5 min on two cores)" >&2
  cargo install cargo-deny --locked --version "$deny_version"
fi
echo "[lint] cargo deny check licenses bans sources" >&2
cargo deny check licenses bans sources
echo "[lint] done in $(( $(date +%s) - started_at )) s" >&2
