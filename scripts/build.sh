#!/usr/bin/env bash
# Builds the worker into build/ (index.js + index_bg.wasm) — wrangler.toml's [build] command.
# Every tool is pinned and installed on first use into .tools/ (git-ignored): nothing is
# downloaded from outside crates.io and npm.
#
# The steps are those of `worker-build --release` (worker-build 0.8.7), run directly so that a
# first build does not compile worker-build: cargo, wasm-bindgen (build-support/wasm-bindgen),
# build-support/bundle.mjs (the entry shim bundled by esbuild, as worker-build does it), then
# wasm-opt. docs/testing.md, "First run", has the measurements.
set -euo pipefail
cd "$(dirname "$0")/.."
# The HTTP test suite builds once, then starts several `wrangler dev` on the same build/: their
# [build] runs must not rewrite it under the workers already serving (that reloads them).
if [ "${KEYBOX_PREBUILT:-}" = 1 ] && [ -f build/index.js ] && [ -f build/index_bg.wasm ]; then
  exit 0
fi
source scripts/tools.sh
ensure_build_tools

# worker-build sets this for wasm-bindgen's proc-macro (js_sys::futures, not wasm-bindgen-futures).
# std is compiled with the worker (-Z build-std, from the toolchain's rust-src) so that a panic
# is an immediate trap: no panic message, location or formatting code in the module (-21 KB
# gzip; docs/performance.md, "Wasm size"). A panic already aborted the instance under
# `panic = "abort"`, and wasm32-unknown-unknown printed its message nowhere. The same goes for
# `#[track_caller]` locations (-Zlocation-detail=none) and `{:?}` (-Zfmt-debug=none: derived
# Debug prints nothing; the worker's logs use Display), -1.8 KB gzip together. RUSTC_BOOTSTRAP
# lets the pinned stable compiler take these unstable flags; nothing else uses it.
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" WASM_BINDGEN_USE_JS_SYS=1 \
  cargo build --lib --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/keybox.wasm"

# Up to date when cargo's module, every step's input (KEYBOX_* settings included) and build/ are
# those of the last build: the HTTP suite calls this script again right after scripts/test.sh
# did, and wasm-opt alone is ~30 s of CPU.
outputs() { cat build/index.js build/index_bg.wasm 2>/dev/null | sha256sum | cut -d' ' -f1; }
inputs=$({ cat "$wasm" scripts/build.sh build-support/bundle.mjs build-support/shim.js build-support/strip-exports.mjs build-support/leb128.mjs \
  "$TOOLS/keybox-wasm-bindgen.sum" node_modules/.keybox-lock; env | grep '^KEYBOX_' | sort || true; } |
  sha256sum | cut -d' ' -f1)
if [ "$(cat build/.stamp 2>/dev/null)" = "$inputs $(outputs)" ]; then
  log "build/ is up to date"
  exit 0
fi

# Staged, then moved into build/ file by file: a `wrangler dev` watching build/ never sees a
# half-written module.
stage=build/.stage
rm -rf "$stage"
mkdir -p "$stage"
"$TOOLS/bin/keybox-wasm-bindgen" "$wasm" "$stage"
with_node22 node build-support/bundle.mjs "$stage" node_modules/.bin/esbuild "$WORKER_VERSION"
# Classes wasm-bindgen exports that KeyBox never uses: wasm-streams' streams (the body is read
# with one arrayBuffer()) and workers-rs's option structs (bundle.mjs does not re-export them):
# -3.3 KB gzip once wasm-opt drops what only they reached.
with_node22 node build-support/strip-exports.mjs "$stage/index_bg.wasm" "$stage/index_bg.wasm" \
  '^(__wbg_(get_|set_)?)?(intounderlying(bytesource|source|sink)|containerstartupoptions|minifyconfig|r2range)_'
# The feature set worker-build passes (what workerd supports); -Oz with the names section
# stripped (worker-build keeps it: a third of the module).
# KEYBOX_WASM_NAMES=1: a profiling build that keeps the function names (CPU profiles and
# `twiggy` then name Rust functions; the module is about 160 KB larger, so check-size fails).
names=--strip-debug
[ "${KEYBOX_WASM_NAMES:-}" = 1 ] && names=-g
node_modules/.bin/wasm-opt -Oz "$names" \
  --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory \
  --enable-multivalue --enable-reference-types --enable-exception-handling \
  "$stage/index_bg.wasm" -o "$stage/index_bg.wasm"
mv -f "$stage/index_bg.wasm" build/index_bg.wasm
mv -f "$stage/index.js" build/index.js
rm -rf "$stage"
echo "$inputs $(outputs)" >build/.stamp
# Left by worker-build in builds before this script ran the steps itself; nothing reads them.
rm -rf build/worker build/package.json
log "build/index_bg.wasm: $(wc -c < build/index_bg.wasm) bytes, $(gzip -9 -c build/index_bg.wasm | wc -c) gzipped"
