#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after another, at the lowest CPU
# priority, and prints one line per target: executions, corpus size, crashes. Needs the nightly
# toolchain and cargo-fuzz (`rustup toolchain install nightly`, `cargo install cargo-fuzz`).
# The seed corpora are fuzz/corpus/<target>/seed-* (scripts/fuzz-seeds.py writes them); what a run
# adds next to them is not committed. A crash leaves its input in fuzz/artifacts/<target>/ and
# makes the script exit 1. MITCHELL_BUILD_LOCK=FILE runs the build step (only) under flock FILE.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(sse chunk persona document gguf slash_command gate)
fi
lock=()
if [ -n "${MITCHELL_BUILD_LOCK:-}" ]; then
  lock=(flock "$MITCHELL_BUILD_LOCK")
fi
"${lock[@]}" nice cargo +nightly fuzz build >/dev/null 2>build.log \
  || { cat build.log; exit 1; }
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  status=ok
  nice -n 19 "$bin/$t" "corpus/$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" -rss_limit_mb=2048 -timeout=10 >"logs/$t.log" 2>&1 \
    || { status=CRASH; failed=1; }
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo '?')
  crashes=$(find "artifacts/$t" -type f | wc -l)
  printf '%-14s %6ss  %12s execs  %5s corpus  %s crash inputs  %s\n' \
    "$t" "$seconds" "$execs" "$(find "corpus/$t" -type f | wc -l)" "$crashes" "$status"
done
exit "$failed"
