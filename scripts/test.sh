#!/usr/bin/env bash
# The whole test suite on a fresh machine: prepare the sandbox kit, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/sandbox-kit.sh
# Keycloak containers are heavy on two cores: run test binaries' tests two at a time.
cargo test --workspace -- --test-threads=2
