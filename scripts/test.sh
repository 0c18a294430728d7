#!/usr/bin/env bash
# The README's test command: the whole suite, in release so llama.cpp is built once for both the
# main job and the tests. Installs build tools and fetches the default model when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-build-deps.sh
bash scripts/fetch-default-model.sh >&2
cargo test --release --locked "$@"
