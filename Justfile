# Recipes for people who have `just`; each is also a plain command in README.md.

# Prepare this machine (Podman, its API socket, local images) and run step1 in the sandbox.
sandbox:
    scripts/sandbox-kit.sh
    cargo run --release -- --config scripts/sandbox.yaml step1

# The whole test suite, as CI runs it.
test:
    scripts/test.sh

# Only the fast tests (no containers).
unit:
    cargo test --lib

# step1 benchmark: overhead beyond Keycloak's own start, no-op re-run.
bench-step1:
    cargo bench --bench step1

lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings
