#!/usr/bin/env bash
# Runs the whole test suite: native unit tests, then the HTTP suite, which builds the worker,
# starts it under `wrangler dev` with a fresh local D1 and stops it afterwards.
# Extra arguments go to `cargo test` (e.g. `bash scripts/test.sh --test api -- auth::`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false
ensure_build_tools
# Build once up front so a compile error shows here, not as a worker that never starts.
bash scripts/build.sh
# --lib --tests: unit and HTTP suites (no doc-tests: there are none, and an empty run would close the output)
cargo test --lib --tests "$@"
