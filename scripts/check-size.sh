#!/usr/bin/env bash
# Fails when the worker's wasm, gzipped with `gzip -9`, exceeds the budget in .ci/wasm-size-budget
# (bytes). Run after a build (scripts/build.sh, which scripts/test.sh runs); prints both sizes.
# Raising the budget is a reviewed change to that file, with the reason in the commit message.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM=build/index_bg.wasm
BUDGET_FILE=.ci/wasm-size-budget
[ -f "$WASM" ] || { echo "check-size: $WASM not found: run bash scripts/build.sh first" >&2; exit 1; }
budget=$(grep -v '^#' "$BUDGET_FILE" | tr -d ' \n')
[[ "$budget" =~ ^[0-9]+$ ]] || { echo "check-size: no byte count in $BUDGET_FILE" >&2; exit 1; }
raw=$(wc -c <"$WASM")
gz=$(gzip -9 -c "$WASM" | wc -c)
echo "wasm size: $raw bytes raw, $gz bytes gzip -9; budget $budget bytes gzip -9 ($((gz * 100 / budget))% used)"
if [ "$gz" -gt "$budget" ]; then
  echo "check-size: FAILED: $WASM is $((gz - budget)) bytes over the gzip budget in $BUDGET_FILE" >&2
  exit 1
fi
