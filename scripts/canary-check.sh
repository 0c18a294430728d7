#!/usr/bin/env bash
# After the suite: fails if the canary API key that every test's environment carries
# (CANARY_KEY in tests/it/common/mod.rs) appears in anything the tests kept under
# $MITCHELL_TEST_ARTIFACTS (default target/test-artifacts): the homes (databases and their WAL
# files, config, logs, drafts), the binary's captured stdout and stderr, and the requests the
# loopback servers received (their Authorization and api-key headers are not logged).
# Usage: MITCHELL_TEST_ARTIFACTS=DIR bash scripts/test.sh && bash scripts/canary-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${MITCHELL_TEST_ARTIFACTS:-target/test-artifacts}"
canary=$(grep -o 'CANARY_KEY: &str = "[^"]*"' tests/it/common/mod.rs | cut -d'"' -f2)
[ -n "$canary" ] || { echo "canary-check: no CANARY_KEY in tests/it/common/mod.rs" >&2; exit 2; }
for part in homes captured requests; do
  if [ ! -d "$dir/$part" ] || [ -z "$(ls -A "$dir/$part")" ]; then
    echo "canary-check: $dir/$part is empty: run the suite with MITCHELL_TEST_ARTIFACTS=$dir first" >&2
    exit 2
  fi
done
files=$(find "$dir" -type f | wc -l)
bytes=$(du -sb "$dir" | cut -f1)
# Binary files too (SQLite pages); models are skipped: they are inputs, not something a test wrote.
leaks=$(grep -rlaF --exclude='*.gguf' -e "$canary" "$dir" || true)
if [ -n "$leaks" ]; then
  echo "canary-check: the test API key leaked into:" >&2
  while IFS= read -r f; do
    echo "  $f" >&2
    grep -naF -e "$canary" "$f" | head -3 | cut -c1-200 | sed 's/^/      /' >&2
  done <<<"$leaks"
  exit 1
fi
echo "canary-check: the key appears nowhere in $files files ($bytes bytes) under $dir"
