#!/usr/bin/env bash
# Runs a cargo-fuzz target: `bash scripts/fuzz.sh TARGET [SECONDS]` (default 60 s);
# `bash scripts/fuzz.sh all [SECONDS]` runs every target in turn. Targets: fuzz/fuzz_targets/.
# cargo-fuzz is installed into .tools/ on first use. libFuzzer's instrumentation flags are
# nightly-only, so the stable toolchain is run with RUSTC_BOOTSTRAP=1 (no other toolchain can
# be installed here); crashes land in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
CARGO_FUZZ_VERSION=0.13.2
if [ "$("$TOOLS/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION into .tools/"
  cargo install --quiet --force --root "$TOOLS" cargo-fuzz --version "$CARGO_FUZZ_VERSION" >&2
fi
target=${1:?usage: scripts/fuzz.sh TARGET|all [SECONDS]}
seconds=${2:-60}
if [ "$target" = all ]; then
  targets=$(ls fuzz/fuzz_targets | sed 's/\.rs$//')
else
  targets=$target
fi
for t in $targets; do
  log "fuzzing $t for ${seconds}s"
  mkdir -p "fuzz/corpus/$t"
  RUSTC_BOOTSTRAP=1 "$TOOLS/bin/cargo-fuzz" run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -max_len=20000 -print_final_stats=1
done
