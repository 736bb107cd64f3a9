#!/usr/bin/env bash
# Runs the whole test suite: native unit tests, then the HTTP suite, which builds the worker,
# starts it under `wrangler dev` with a fresh local D1 and stops it afterwards.
# Extra arguments go to `cargo test` (e.g. `bash scripts/test.sh --test api -- auth::`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false
# The native test binaries compile in the background while the tools install and the wasm
# builds (with cargo's own arguments: those before a `--`): on a first run the phases that keep
# one core busy (final links, the wasm's LTO, wasm-opt, npm) then leave the other to this compile.
cargo_args=()
for arg in "$@"; do
  [ "$arg" = -- ] && break
  cargo_args+=("$arg")
done
native_log=$(mktemp)
cargo test --no-run --lib --tests "${cargo_args[@]}" >"$native_log" 2>&1 &
native=$!
trap 'kill "$native" 2>/dev/null || true; rm -f "$native_log"' EXIT
ensure_build_tools
# Build once up front so a compile error shows here, not as a worker that never starts.
bash scripts/build.sh
if ! wait "$native"; then
  cat "$native_log" >&2
  log "compiling the native tests failed"
  exit 1
fi
grep -h '^ *Finished' "$native_log" >&2 || true
# --lib --tests: unit and HTTP suites (no doc-tests: there are none, and an empty run would close the output)
cargo test --lib --tests "$@"
