#!/usr/bin/env bash
# The main job in the local sandbox: `bridgectl sandbox up` starts the OpenShift simulator
# in place of a cluster, `all` runs the five steps against it and a real Keycloak in
# Podman, and `verify` signs every user in through the demo app and prints the matrix.
# Re-running is safe: every object then reports unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

# bridgectl, and the demo app and simulator it would otherwise build on first use (one
# package per build, as bridgectl asks cargo, so nothing is rebuilt later).
for package in bridgectl demo-app ocp-sim; do
  cargo build --release --quiet -p "$package"
done

bridgectl=(target/release/bridgectl --config scripts/sandbox.yaml)
"${bridgectl[@]}" sandbox up
"${bridgectl[@]}" all
"${bridgectl[@]}" verify
echo "[sandbox] passwords: ${bridgectl[*]} credentials; health: ${bridgectl[*]} status" >&2
