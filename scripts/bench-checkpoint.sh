#!/usr/bin/env bash
# Benchmark of the reply checkpoints (see BENCHMARKS.md): `mitchell ask` saves a streaming reply
# every 500 ms while it arrives. A loopback server streams N content chunks (default 20,000,
# one token each) with a pause of DELAY_MS (default 1 ms) between them, so the reply takes long
# enough for many checkpoints; the script counts, with strace, the bytes the process writes to
# the sessions database and its WAL, and prints them with the number of write calls.
#   BIN=path/to/mitchell N=20000 DELAY_MS=1 bash scripts/bench-checkpoint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/mitchell}
N=${N:-20000}
DELAY_MS=${DELAY_MS:-1}
PORT=${PORT:-18779}
command -v strace >/dev/null || { echo "strace is needed (apt-get install strace)" >&2; exit 1; }
WORK=$(mktemp -d)
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"

python3 scripts/sse-server.py "$PORT" "$N" "$DELAY_MS" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break || sleep 0.1; done

start=$(date +%s.%N)
OPENAI_API_KEY=bench strace -f -y -e trace=write,pwrite64,writev,pwritev -e signal=none -o "$WORK/trace" \
  "$BIN" ask --base-url "http://127.0.0.1:$PORT/v1" --model bench --tools off "write a long answer" >/dev/null
end=$(date +%s.%N)
python3 - "$WORK/trace" "$N" "$(echo "$end - $start" | bc)" "$BIN" <<'PY'
import re, sys
path, n, secs, binary = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
calls = {"db": 0, "wal": 0}
sizes = {"db": 0, "wal": 0}
for line in open(path):
    m = re.search(r'(?:write|pwrite64|writev|pwritev)\(\d+<([^>]*)>.*= (\d+)$', line)
    if not m:
        continue
    target, written = m.group(1), int(m.group(2))
    if target.endswith("mitchell.db-wal"):
        kind = "wal"
    elif target.endswith("mitchell.db"):
        kind = "db"
    else:
        continue
    calls[kind] += 1
    sizes[kind] += written
print(f"binary: {binary}")
print(f"reply: {n} chunks in {secs:.1f} s (strace on)")
print(f"database file: {sizes['db']:,} bytes in {calls['db']} writes")
print(f"WAL:           {sizes['wal']:,} bytes in {calls['wal']} writes")
print(f"total:         {sizes['db'] + sizes['wal']:,} bytes")
PY
