#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time and reports, per target, the
# runs executed and "no crash", or the file holding the input that crashed it.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# Needs the nightly toolchain and cargo-fuzz; installs whichever is missing. Corpora grow
# in fuzz/corpus/<target>/ (only the committed seed-* files are tracked), crashes land in
# fuzz/artifacts/<target>/, each run's log in fuzz/artifacts/<target>/last-run.log.
# Exits 1 when any target crashed or failed to run.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS_PER_TARGET]   (a whole number of seconds, default 60)" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "installing the nightly toolchain (cargo fuzz needs it)"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi

mapfile -t targets < <(cargo +nightly fuzz list)
if [ "${#targets[@]}" -eq 0 ]; then
    echo "no fuzz targets found in fuzz/" >&2
    exit 1
fi

echo "building ${#targets[@]} targets: ${targets[*]}"
cargo +nightly fuzz build

failed=0
report=()
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    artifacts="fuzz/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    log="$artifacts/last-run.log"
    echo "fuzzing $target for ${seconds}s"
    started=$(date +%s)
    status=0
    cargo +nightly fuzz run "$target" "$corpus" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - started))
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    if [ -z "$runs" ]; then
        # Without final stats (a crash), the last progress line has the count.
        runs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
    fi
    # libFuzzer's own time ("Done N runs in S second(s)"); the wall time also counts
    # cargo's check of the build and the exit.
    fuzzed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    crash=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -n 1)
    inputs=$(find "$corpus" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        line="$target: ${runs:-?} runs in ${fuzzed:-?}s (${elapsed}s wall), corpus $inputs inputs: no crash"
    elif [ -n "$crash" ]; then
        line="$target: CRASH after ${runs:-?} runs: $crash (log: $log)"
        failed=1
    else
        line="$target: FAILED (exit $status) after ${runs:-?} runs; see $log"
        failed=1
    fi
    echo "$line"
    report+=("$line")
done

echo
echo "fuzzing summary (${seconds}s per target):"
printf '  %s\n' "${report[@]}"
exit "$failed"
