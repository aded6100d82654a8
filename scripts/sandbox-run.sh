#!/usr/bin/env bash
# The main job in the local sandbox: `bridgectl sandbox up` starts the OpenShift simulator
# in place of a cluster, `all` runs the five steps against it and a real Keycloak in
# Podman, and `verify` signs every user in through the demo app and prints the matrix.
# Re-running is safe: every object then reports unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

# One build: bridgectl carries the demo app and the simulator it runs. Cargo's own
# progress shows, as the first build compiles the whole dependency tree (minutes).
echo "[sandbox] building bridgectl (release)" >&2
cargo build --release -p bridgectl

bridgectl=(target/release/bridgectl --config scripts/sandbox.yaml)
"${bridgectl[@]}" sandbox up
"${bridgectl[@]}" all
"${bridgectl[@]}" verify
echo "[sandbox] passwords: ${bridgectl[*]} credentials; health: ${bridgectl[*]} status" >&2
