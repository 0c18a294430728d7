#!/usr/bin/env bash
# Writes link/hot-functions.txt: the functions mitchell's common commands execute, in the order
# the linker should lay them out (build.rs hands the file to lld as a symbol-ordering file, so
# they share a few MiB of code instead of faulting in 64 KiB windows all over 18 MB).
#
#   bash scripts/hot-functions.sh          profile target/release/mitchell, rewrite the list
#   bash scripts/hot-functions.sh --check  say how much of the list the binary still has
#
# Run it after changing what the common commands execute (and rebuild: the list is a link
# input). It first rebuilds the mitchell crate from scratch: an incremental rebuild names
# generic instances differently (a third of the names) from the clean build CI and a fresh
# clone make, and the list must match those. BIN=PATH profiles that binary instead (built
# clean elsewhere). Profiles are callgrind runs (valgrind) against a loopback SSE server, in a
# temporary data directory: --version, ask (saved, --json, --no-save, stdout on a pty),
# sessions list, show and search. --version's functions come first, then each command's new
# ones.
set -euo pipefail
cd "$(dirname "$0")/.."
LIST=link/hot-functions.txt
if [ -z "${BIN:-}" ] && [ "${1:-}" != "--check" ]; then
  cargo clean --release --package mitchell
  rm -rf target/release/incremental/mitchell-* target/release/incremental/mitchell_engine-*
  cargo build --release --locked
fi
BIN=${BIN:-target/release/mitchell}
[ -x "$BIN" ] || { echo "missing $BIN: cargo build --release" >&2; exit 1; }

if [ "${1:-}" = "--check" ]; then
  python3 - "$BIN" "$LIST" <<'PY'
import subprocess, sys
binary, listed = sys.argv[1], sys.argv[2]
names = set(subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True,
                           check=True).stdout.split())
wanted = [l.strip() for l in open(listed) if l.strip() and not l.startswith("#")]
have = sum(1 for n in wanted if n in names)
print("%s: %d of the %d listed functions are in %s (%.0f%%)" % (
    listed, have, len(wanted), binary, 100 * have / max(len(wanted), 1)))
PY
  exit 0
fi

command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }
WORK=$(mktemp -d)
PORT=${PORT:-18799}
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"
python3 scripts/sse-server.py "$PORT" 2000 0 500 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break || sleep 0.1; done
URL="http://127.0.0.1:$PORT/v1"
"$BIN" ask --base-url "$URL" --model bench hi > /dev/null

profile() { # name, command… → $WORK/name.cg
  local name=$1; shift
  valgrind --tool=callgrind --demangle=no --dump-instr=no \
    --callgrind-out-file="$WORK/$name.cg" "$@" > /dev/null 2> "$WORK/$name.err" < /dev/null
}
profile 1-version "$BIN" --version
profile 2-nosave "$BIN" ask --no-save --base-url "$URL" --model bench hi
profile 3-ask "$BIN" ask --base-url "$URL" --model bench hi
profile 4-json "$BIN" ask --json --base-url "$URL" --model bench hi
python3 - "$WORK/5-pty.cg" "$BIN" "$URL" <<'PY'
import os, pty, subprocess, sys
out, binary, url = sys.argv[1:]
master, slave = pty.openpty()
p = subprocess.Popen(["valgrind", "--tool=callgrind", "--demangle=no", "--dump-instr=no",
                      "--callgrind-out-file=" + out, binary, "ask", "--base-url", url,
                      "--model", "bench", "hi"],
                     stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
os.close(slave)
while True:
    try:
        if not os.read(master, 65536):
            break
    except OSError:
        break
assert p.wait() == 0, "the pty run failed"
PY
profile 6-list "$BIN" sessions list
profile 7-show "$BIN" sessions show 1
profile 8-search "$BIN" sessions search tok7

python3 - "$BIN" "$LIST" "$WORK" <<'PY'
import glob, re, subprocess, sys
binary, listed, work = sys.argv[1:]
text = set()
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        text.add(parts[2])
seen, order = set(), []
for profile in sorted(glob.glob(work + "/*.cg")):
    for line in open(profile):
        m = re.match(r"^c?fn=\(\d+\) (.+)$", line.rstrip("\n"))
        if m and m.group(1) in text and m.group(1) not in seen:
            seen.add(m.group(1))
            order.append(m.group(1))
with open(listed, "w") as f:
    f.write("# The functions mitchell's common commands execute, laid out first by the linker\n"
            "# (build.rs). Written by scripts/hot-functions.sh from callgrind profiles; do not\n"
            "# edit by hand.\n")
    f.write("\n".join(order) + "\n")
print("%s: %d functions" % (listed, len(order)))
PY
