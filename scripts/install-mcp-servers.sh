#!/usr/bin/env bash
# Installs the two real MCP servers the MCP tests start, once, under ~/.cache/mitchell-mcp
# (or $MITCHELL_MCP_CACHE): mcp-server-git (Python, in a virtualenv) and
# @modelcontextprotocol/server-filesystem (npm). Idempotent: a second run changes nothing.
# Prints where they are; the tests look there, or at $MITCHELL_TEST_MCP_GIT and
# $MITCHELL_TEST_MCP_FS.
set -euo pipefail
cache="${MITCHELL_MCP_CACHE:-$HOME/.cache/mitchell-mcp}"
mkdir -p "$cache"

git_server="$cache/venv/bin/mcp-server-git"
if [ ! -x "$git_server" ]; then
    if ! python3 -m venv --help >/dev/null 2>&1; then
        echo "install-mcp-servers: python3 with venv is needed (apt-get install python3-venv)" >&2
        exit 1
    fi
    python3 -m venv "$cache/venv"
    "$cache/venv/bin/pip" install --quiet --disable-pip-version-check mcp-server-git
fi

fs_server="$cache/npm/node_modules/.bin/mcp-server-filesystem"
if [ ! -x "$fs_server" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "install-mcp-servers: npm is needed (apt-get install npm)" >&2
        exit 1
    fi
    npm install --silent --no-audit --no-fund --prefix "$cache/npm" \
        @modelcontextprotocol/server-filesystem >/dev/null
fi

echo "mcp-server-git: $git_server"
echo "server-filesystem: $fs_server"
