#!/usr/bin/env bash
# The README's test command: the whole suite, in release so llama.cpp is built once for both the
# main job and the tests. Installs build tools when missing; the local-model tests pull the models
# they run (SmolLM2-135M, Qwen2.5-Coder-0.5B) once with `mitchell model pull` into
# $MITCHELL_TEST_CACHE (default target/test-cache) when no cache has them. The MCP tests start
# real MCP servers, installed once under ~/.cache/mitchell-mcp.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-build-deps.sh
bash scripts/install-mcp-servers.sh
cargo test --release --locked "$@"
