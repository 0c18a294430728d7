#!/usr/bin/env bash
# Benchmarks of mitchell's HTTP path (see BENCHMARKS.md):
#   1. cold start: `mitchell --version`, median over many runs (hyperfine, or a loop);
#   2. `mitchell ask` against a loopback server streaming N SSE chunks (default 20,000), each
#      chunk its own HTTP chunk: total CPU time (user+sys) next to `curl -N` on the same stream,
#      and peak RSS, from /usr/bin/time, median of R runs.
# Build first: cargo build --release (the default build, with llama.cpp), or
#              cargo build --release --no-default-features (HTTP only)
# `ask` saves every exchange by default: the runs use a temporary data directory, and
# `--no-save` is measured too. aichat is measured in the same run when it is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/mitchell}
BENCH_HOME=$(mktemp -d)
export XDG_DATA_HOME="$BENCH_HOME/data" XDG_CONFIG_HOME="$BENCH_HOME/config" XDG_CACHE_HOME="$BENCH_HOME/cache"
N=${N:-20000}
R=${R:-11}
PORT=${PORT:-18777}
[ -x "$BIN" ] || { echo "missing $BIN: cargo build --release --no-default-features" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed for the loopback server" >&2; exit 1; }

# The loopback server: every request gets the same stream of N content chunks.
python3 scripts/sse-server.py "$PORT" "$N" &
SERVER=$!
# The same stream with a 500-word vocabulary (every word distinct is the full-text index's
# worst case, not what an answer looks like), for the saved run.
python3 scripts/sse-server.py "$((PORT + 1))" "$N" 0 500 &
SERVER2=$!
trap 'kill $SERVER $SERVER2 2>/dev/null || true; rm -rf "$BENCH_HOME"' EXIT
for port in "$PORT" "$((PORT + 1))"; do
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break || sleep 0.1; done
done

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(uname -sr)"
echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
echo "binary:  $BIN ($("$BIN" --version))"
echo

echo "== cold start: $BIN --version"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 300 --export-json /tmp/mitchell-bench-version.json "$BIN --version" >/dev/null
  python3 -c 'import json;r=json.load(open("/tmp/mitchell-bench-version.json"))["results"][0];print("median %.2f ms  (mean %.2f ms, min %.2f ms, %d runs)" % (r["median"]*1e3, r["mean"]*1e3, r["min"]*1e3, len(r["times"])))'
else
  python3 - "$BIN" <<'PY'
import subprocess, sys, time, statistics
t = []
for _ in range(300):
    s = time.perf_counter(); subprocess.run([sys.argv[1], "--version"], stdout=subprocess.DEVNULL); t.append(time.perf_counter() - s)
print("median %.2f ms (loop of 300)" % (statistics.median(t) * 1e3))
PY
fi
echo

URL="http://127.0.0.1:$PORT/v1"
measure() { # label, command… → median CPU time (user+sys, from wait4's rusage) and peak RSS
  local label=$1; shift
  python3 - "$label" "$R" "$@" <<'PY'
import os, subprocess, sys, statistics
label, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cpu, rss = [], []
for _ in range(runs):
    # /usr/bin/time reports the command's own peak RSS (a child forked from python would
    # inherit python's high-water mark); wait4 gives the CPU time in microseconds.
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", "/tmp/mitchell-bench-rss"] + cmd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"{label} failed"
    cpu.append(ru.ru_utime + ru.ru_stime)
    rss.append(int(open("/tmp/mitchell-bench-rss").read().split()[-1]) / 1024)
mc, mr = statistics.median(cpu), statistics.median(rss)
print("%-14s cpu %6.1f ms   peak RSS %5.1f MB   (median of %d; cpu runs ms: %s)" % (
    label, mc * 1e3, mr, runs, " ".join("%.0f" % (c * 1e3) for c in cpu)))
open("/tmp/mitchell-bench-%s.cpu" % label, "w").write("%f" % mc)
PY
}

echo "== $N chunks over loopback: CPU time (user+sys) and peak RSS"
measure curl curl -sN -X POST -H 'Content-Type: application/json' -d '{}' "$URL/chat/completions"
measure mitchell "$BIN" ask --base-url "$URL" --model bench hi
measure mitchell-json "$BIN" ask --json --base-url "$URL" --model bench hi
measure mitchell-nosave "$BIN" ask --no-save --base-url "$URL" --model bench hi
measure mitchell-vocab500 "$BIN" ask --base-url "http://127.0.0.1:$((PORT + 1))/v1" --model bench hi
c=$(cat /tmp/mitchell-bench-curl.cpu); m=$(cat /tmp/mitchell-bench-mitchell.cpu)
awk -v c="$c" -v m="$m" 'BEGIN { if (c > 0) printf "ratio mitchell/curl: %.2fx\n", m / c; else print "curl cpu ~0" }'
if command -v aichat >/dev/null; then
  # aichat against the same stream: an openai-compatible client, streaming, nothing saved.
  export AICHAT_CONFIG_DIR="$BENCH_HOME/aichat"
  mkdir -p "$AICHAT_CONFIG_DIR"
  printf 'model: bench:bench\nstream: true\nsave: false\nclients:\n  - type: openai-compatible\n    name: bench\n    api_base: %s\n    api_key: x\n    models:\n      - name: bench\n' "$URL" > "$AICHAT_CONFIG_DIR/config.yaml"
  echo "aichat:  $(aichat --version)"
  python3 - <<'PY'
import subprocess, time, statistics
t = []
for _ in range(300):
    s = time.perf_counter(); subprocess.run(["aichat", "--version"], stdout=subprocess.DEVNULL); t.append(time.perf_counter() - s)
print("aichat --version cold start: median %.2f ms (loop of 300)" % (statistics.median(t) * 1e3))
PY
  measure aichat aichat hi
  a=$(cat /tmp/mitchell-bench-aichat.cpu)
  awk -v a="$a" -v m="$m" 'BEGIN { if (a > 0) printf "ratio mitchell/aichat: %.2fx\n", m / a }'
else
  echo "aichat: not on PATH, not measured"
fi

# stdout on a real pty (python's pty module reads the other end): the markdown renderer
# (--render auto) against the raw text (--render never), same stream, same run.
measure_pty() { # label, command… → median CPU time of the command with stdout on a pty
  local label=$1; shift
  python3 - "$label" "$R" "$@" <<'PY'
import os, pty, subprocess, sys, statistics
label, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cpu = []
for _ in range(runs):
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(slave)
    while True:
        try:
            if not os.read(master, 65536):
                break
        except OSError:
            break
    os.close(master)
    _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"{label} failed"
    cpu.append(ru.ru_utime + ru.ru_stime)
mc = statistics.median(cpu)
print("%-14s cpu %6.1f ms   (median of %d; cpu runs ms: %s)" % (
    label, mc * 1e3, runs, " ".join("%.0f" % (c * 1e3) for c in cpu)))
open("/tmp/mitchell-bench-%s.cpu" % label, "w").write("%f" % mc)
PY
}
echo
echo "== the same stream with stdout on a pty"
measure_pty pty-raw "$BIN" --render never ask --base-url "$URL" --model bench hi
measure_pty pty-rendered "$BIN" ask --base-url "$URL" --model bench hi
r=$(cat /tmp/mitchell-bench-pty-raw.cpu); d=$(cat /tmp/mitchell-bench-pty-rendered.cpu)
awk -v r="$r" -v d="$d" 'BEGIN { if (r > 0) printf "ratio rendered/raw on a pty: %.2fx\n", d / r }'

# Sanity check: the answer really streamed all N chunks.
words=$("$BIN" ask --base-url "$URL" --model bench hi | wc -w)
echo "words in the answer: $words (expected $N)"
