#!/usr/bin/env bash
# The whole test suite on a fresh machine: prepare the sandbox kit, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
started_at=$(date +%s)
# The compatibility tests run the newest Keycloak 26.x served here and one from before the
# standard token exchange (which bridgectl must refuse), besides the default.
export KEYCLOAK_OTHER_VERSIONS="26.7.3 26.1.0"
scripts/sandbox-kit.sh
# The real Kubernetes control plane beside the simulator (conformance, bridgectl against a
# real API server): built once, ~15 min on two cores; its tests must not skip in CI.
scripts/kube-kit.sh build >/dev/null
export KUBE_KIT_REQUIRED=1
. scripts/lib.sh
# The simulator's end-to-end test runs this Keycloak directly; it must not skip in CI.
export OCP_SIM_KEYCLOAK_HOME="$KEYCLOAK_CONTEXT/keycloak" OCP_SIM_REQUIRE_KEYCLOAK=1
remove_test_containers() {
  # A control plane a killed test binary left behind (it normally stops with its tests).
  pkill -f "$KIT_CACHE/kube-" 2>/dev/null || true
  podman ps -a --format '{{.Names}}' | grep '^bridgectl-test-' | xargs -r podman rm -f -t 0 >/dev/null || true
  podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/bridgectl-test-' | xargs -r podman rmi -f >/dev/null || true
  podman volume ls --format '{{.Name}}' | grep '^bridgectl-test-' | xargs -r podman volume rm -f >/dev/null || true
}
# bridgectl's integration tests (one binary, tests/it) share one default Keycloak, started on
# first use and never dropped; remove it and the tests' other containers, images and volumes
# however we exit.
remove_test_containers
trap remove_test_containers EXIT
# The release binary: one package, one build of the dependency tree (it carries the demo
# app and the simulator). The operator loop runs a copy of it alone in an empty directory.
cargo build --release -p bridgectl
# Keycloak containers are heavy on two cores: run each test binary's tests two at a time.
log="$(mktemp)"
set +e
cargo test --workspace --no-fail-fast -- --test-threads=2 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite (cargo's last lines are the doc-tests of the last crate).
summary="$(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;/) p += $i; if ($(i+1) ~ /^failed;/) f += $i } }
     END { printf "tests: %d passed, %d failed", p, f }' "$log")"
echo "$summary"
rm -f "$log"
# The suite's wall time, for BENCHMARKS.md (benches/suite.rs reads the last one).
printf '%s\t%s\t%s\t%s\n' "$(($(date +%s) - started_at))" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$summary" > "${CARGO_TARGET_DIR:-target}/suite-wall-time.tsv"
exit "$status"
