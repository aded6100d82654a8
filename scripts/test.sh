#!/usr/bin/env bash
# The whole test suite on a fresh machine: prepare the sandbox kit, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/sandbox-kit.sh
. scripts/lib.sh
# The simulator's end-to-end test runs this Keycloak directly; it must not skip in CI.
export OCP_SIM_KEYCLOAK_HOME="$KEYCLOAK_CONTEXT/keycloak" OCP_SIM_REQUIRE_KEYCLOAK=1
remove_test_containers() {
  podman ps -a --format '{{.Names}}' | grep '^bridgectl-test-' | xargs -r podman rm -f -t 0 >/dev/null || true
}
# Test binaries share one Keycloak each, started on first use; remove them however we exit.
remove_test_containers
trap remove_test_containers EXIT
# Keycloak containers are heavy on two cores: run test binaries' tests two at a time.
cargo test --workspace --no-fail-fast -- --test-threads=2
