#!/usr/bin/env bash
# Builds the worker into build/ — wrangler.toml's [build] command.
# Every tool is pinned and installed on first use into .tools/ (git-ignored): nothing is
# downloaded from outside crates.io and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_build_tools
export WASM_BINDGEN_BIN="$TOOLS/bin/wasm-bindgen"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
exec "$TOOLS/bin/worker-build" --release
