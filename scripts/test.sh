#!/usr/bin/env bash
# The README's test command: the whole suite, in release so llama.cpp is built once for both the
# main job and the tests. Installs build tools when missing; the local-model tests fetch the
# default model once into target/test-cache (scripts/fetch-default-model.sh) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-build-deps.sh
cargo test --release --locked "$@"
