# Recipes for people who have `just`; each is also a plain command in README.md.

# Prepare this machine (Podman, its API socket, local images), start the sandbox, run all and verify.
sandbox:
    scripts/sandbox-kit.sh
    scripts/sandbox-run.sh

# The whole test suite, as CI runs it.
test:
    scripts/test.sh

# Only the fast tests (no containers).
unit:
    cargo test --lib

# step1 benchmark: overhead beyond Keycloak's own start, no-op re-run.
bench-step1:
    cargo bench --bench step1

# step2 as users grow: 3, 100 and 1,000 users, concurrent against one request at a time.
bench-step2:
    cargo bench --bench step2_users

# The demo app under load on loopback: /health and the signed-out page, requests/s and memory.
bench-demo-app:
    cargo bench --bench demo_app_load

# all (cold and converged) and status against the sandbox.
bench-operator:
    cargo bench --bench operator_timing

# The static binary for a bastion, as a tarball with its SHA-256 checksum in dist/.
dist:
    scripts/dist.sh

lint:
    scripts/lint.sh

# Every benchmark, then BENCHMARKS.md with the machine described (BENCH_QUICK=1 for a fast check).
bench:
    scripts/bench.sh

# Every cargo-fuzz target in fuzz/ for SECONDS each (nightly; installs cargo-fuzz if missing).
fuzz SECONDS="60":
    scripts/fuzz.sh {{SECONDS}}
