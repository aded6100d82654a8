#!/usr/bin/env bash
# Runs every benchmark and writes BENCHMARKS.md: a description of the machine, a summary of
# the headline figures, then each bench's own section (what it measures, medians, ratios,
# every run, the command that produced it) in a fixed order.
#
#   scripts/bench.sh                 the full run: about 25 minutes on a quiet 2-core machine
#                                    with everything compiled; far longer while other work
#                                    loads it (a quick run took 40 minutes so)
#   BENCH_QUICK=1 scripts/bench.sh   fewer rounds, step2 with 3 and 100 users only; the
#                                    report says it was a quick run
#   BENCH_SUITE=1 scripts/bench.sh   also runs the whole test suite (half an hour) for its
#                                    wall time; otherwise the last `scripts/test.sh` run's
#                                    record is reported (BENCH_SUITE_RECORD=FILE names one
#                                    made in another clone)
# The main_job bench builds the release binary from nothing in a fresh clone (minutes).
#
# Each bench writes its section to target/bench-report/<bench>.md and its log next to it.
# BENCHMARKS.md is replaced only when every bench succeeded; otherwise the partial report
# stays in target/bench-report/BENCHMARKS.md and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
started_at=$(date +%s)

# The same preparation as the tests: Podman, its API socket and the local images.
scripts/sandbox-kit.sh
. scripts/lib.sh

benches=(step1 step2_users operator_timing demo_app_load cli_startup main_job suite)
report_dir="${CARGO_TARGET_DIR:-target}/bench-report"
quick=""
case "${BENCH_QUICK:-}" in "" | 0) ;; *) quick=1 ;; esac
# The settings that change what the benches measure, as the sections record them.
settings=""
for name in BENCH_QUICK BENCH_ROUNDS BENCH_SIZES BENCH_SUITE BENCH_SUITE_RECORD; do
  if [ -n "${!name+set}" ]; then settings+="$name=${!name} "; fi
done

# What the benches create, by their names only: Keycloak containers of tests/it/support's Bed
# (bridgectl-test-bench-*, bridgectl-test-bench2-*), operator_timing's containers, app image
# and sandbox (bridgectl-bench-<pid>-*, its state in $TMPDIR/bridgectl-bench-<pid>). Each
# bench removes its own on success and on a failed assertion; this catches a bench killed
# by a signal.
marker="$(mktemp)"
remove_bench_leftovers() {
  local dir
  while read -r dir; do
    [ -n "$dir" ] || continue
    (cd "$dir" && "$root/target/release/bridgectl" --state-dir state sandbox down >/dev/null 2>&1) || true
    rm -rf "$dir"
  done < <(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'bridgectl-bench-*' -newer "$marker" 2>/dev/null)
  podman ps -a --format '{{.Names}}' | grep -E '^(bridgectl-test-bench2?-|bridgectl-bench-)' \
    | xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
  podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/bridgectl-bench-' \
    | xargs -r podman rmi -f >/dev/null 2>&1 || true
}
finish() {
  remove_bench_leftovers
  rm -f "$marker"
}
remove_bench_leftovers
trap finish EXIT

duration() { # seconds -> "12 min 3 s"
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%d min %d s' $((s / 60)) $((s % 60)); else printf '%d s' "$s"; fi
}

# The machine, read before anything runs.
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
cpu_model="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
memory="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1024 / 1024 }' /proc/meminfo)"
os="$(. /etc/os-release && echo "$PRETTY_NAME") (debian_version $(cat /etc/debian_version 2>/dev/null || echo unknown))"
podman_version="$(podman version --format '{{.Client.Version}}' 2>/dev/null || podman --version)"
oci_runtime="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || echo unknown)"
commit="$(git rev-parse --short HEAD) ($(git log -1 --format=%cs HEAD))"
if ! git diff --quiet HEAD -- . ':(exclude)BENCHMARKS.md'; then
  commit+=", with uncommitted changes in the work tree"
fi

rm -rf "$report_dir"
mkdir -p "$report_dir"

# Release binaries (one package per build, as bridgectl asks cargo) and every bench
# compiled up front, so no bench's time includes compiling.
for package in bridgectl demo-app ocp-sim; do
  cargo build --release --quiet -p "$package"
done
bench_args=()
for bench in "${benches[@]}"; do bench_args+=(--bench "$bench"); done
cargo bench --no-run --quiet "${bench_args[@]}"

runs_table=""
failed=()
for bench in "${benches[@]}"; do
  command="${settings}cargo bench --bench $bench"
  echo "[bench] $command" >&2
  bench_started=$(date +%s)
  if cargo bench --bench "$bench" 2>&1 | tee "$report_dir/$bench.log"; then
    result="ok"
  else
    result="**FAILED**"
    failed+=("$bench")
  fi
  runs_table+="| \`$command\` | $(duration $(($(date +%s) - bench_started))) | $result |"$'\n'
done
remove_bench_leftovers
load_at_end="$(cut -d' ' -f1-3 /proc/loadavg)"
finished="$(date -u '+%Y-%m-%d %H:%M UTC')"
took="$(duration $(($(date +%s) - started_at)))"

report="$report_dir/BENCHMARKS.md"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`${settings}scripts/bench.sh\` (\`just bench\`), finished $finished after $took."
  echo "Each section below names the command that produced it; the script first prepares the"
  echo "machine like the tests (\`scripts/sandbox-kit.sh\`) and builds the release binaries."
  echo
  if [ -n "$quick" ]; then
    echo "> **Quick run** (\`BENCH_QUICK=1\`): fewer rounds, and step2 with 3 and 100 users only."
    echo "> The figures are indicative only; the full run is \`scripts/bench.sh\`."
    echo
  fi
  if [ ${#failed[@]} -gt 0 ]; then
    echo "> **Incomplete:** ${failed[*]} failed; see the logs in \`$report_dir/\`."
    echo
  fi
  echo "## The machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| cores (\`nproc\`) | $(nproc) |"
  echo "| CPU | $cpu_model |"
  echo "| memory | $memory |"
  echo "| kernel | $(uname -r) |"
  echo "| OS | $os |"
  echo "| Podman | $podman_version, rootful, runtime $oci_runtime |"
  echo "| Keycloak image | \`$KEYCLOAK_IMAGE\` (H2), built by \`scripts/build-images.sh\`; optimized mode unless a section says otherwise |"
  echo "| Rust | $(rustc -V), $(cargo -V) |"
  echo "| commit | $commit |"
  echo "| load average (1, 5, 15 min) | at start $load_at_start; at end $load_at_end |"
  echo
  echo "These machines are shared and noisy: figures are medians, and no test asserts a time."
  echo "Benches are built with the \`bench\` profile (optimized); the binaries they run are the"
  echo "release builds. Ratios are the median divided by the target (≤ targets are met below"
  echo "1x, ≥ targets above it)."
  echo
  echo "## Summary"
  echo
  echo "| figure | median | target | ratio | command |"
  echo "|---|---|---|---|---|"
  for bench in "${benches[@]}"; do
    if [ -f "$report_dir/$bench.summary.md" ]; then
      cat "$report_dir/$bench.summary.md"
    else
      echo "| $bench | failed | | | \`${settings}cargo bench --bench $bench\` |"
    fi
  done
  echo
  echo "## The runs"
  echo
  echo "| command | took | result |"
  echo "|---|---|---|"
  printf '%s' "$runs_table"
  echo
  for bench in "${benches[@]}"; do
    if [ -f "$report_dir/$bench.md" ] && [[ ! " ${failed[*]} " =~ " $bench " ]]; then
      cat "$report_dir/$bench.md"
    else
      echo "## $bench — FAILED"
      echo
      echo "\`${settings}cargo bench --bench $bench\` failed; the end of its log ($report_dir/$bench.log):"
      echo
      echo '```'
      tail -n 20 "$report_dir/$bench.log" 2>/dev/null || true
      echo '```'
      echo
    fi
  done
} > "$report"
# One newline at the end, not the blank line the last section ends with.
content="$(cat "$report")"
printf '%s\n' "$content" > "$report"

if [ ${#failed[@]} -gt 0 ]; then
  echo "[bench] failed: ${failed[*]}; BENCHMARKS.md left as it was, partial report in $report" >&2
  exit 1
fi
cp "$report" BENCHMARKS.md
echo "[bench] BENCHMARKS.md written in $took" >&2
