#!/usr/bin/env bash
# Builds the worker into build/ — wrangler.toml's [build] command.
# Every tool is pinned and installed on first use into .tools/ (git-ignored): nothing is
# downloaded from outside crates.io and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
# The HTTP test suite builds once, then starts several `wrangler dev` on the same build/: their
# [build] runs must not rewrite it under the workers already serving (that reloads them).
if [ "${KEYBOX_PREBUILT:-}" = 1 ] && [ -f build/index.js ] && [ -f build/index_bg.wasm ]; then
  exit 0
fi
source scripts/tools.sh
ensure_build_tools
export WASM_BINDGEN_BIN="$TOOLS/bin/wasm-bindgen"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
"$TOOLS/bin/worker-build" --release
# The same feature set worker-build passes (what workerd supports), minus --debuginfo.
# KEYBOX_WASM_NAMES=1: a profiling build that keeps the function names (CPU profiles and
# `twiggy` then name Rust functions; the module is about 160 KB larger, so check-size fails).
names=--strip-debug
[ "${KEYBOX_WASM_NAMES:-}" = 1 ] && names=-g
"$WASM_OPT_BIN" -Oz "$names" \
  --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory \
  --enable-multivalue --enable-reference-types --enable-exception-handling \
  build/index_bg.wasm -o build/index_bg.wasm
log "build/index_bg.wasm: $(wc -c < build/index_bg.wasm) bytes, $(gzip -9 -c build/index_bg.wasm | wc -c) gzipped"
