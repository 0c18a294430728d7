#!/usr/bin/env bash
# The main job on a fresh Debian machine with the Rust toolchain: install cmake, clang and
# libclang-dev when missing (apt-get, through sudo when not root), build the release binary,
# pull the default model (Qwen2.5-Coder-1.5B-Instruct, about 1.1 GB, pinned sha256) with
# `mitchell model pull` when it is not cached, then stream Mitchell's answer to an infrastructure
# question with the embedded model. A second run reuses the build and the model.
#
#   scripts/ask-offline.sh                       # the sample question
#   scripts/ask-offline.sh "Why is my disk full?"
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
question=${1:-"A Linux web server is slow and load average is 20. What should I check first?"}

bash scripts/install-build-deps.sh

cargo build --release --locked >&2

target/release/mitchell model pull qwen2.5-coder-1.5b-instruct >&2

exec target/release/mitchell ask --provider local "$question"
