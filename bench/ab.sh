#!/usr/bin/env bash
# Before/after of one change: two builds of KeyBox side by side under `wrangler dev`, the same
# settings (RATE_LIMITS=off, a LICENSE_SIGNING_KEY, HS256 tokens), each with its own migrated
# local D1, driven alternately by wrk. Per scenario (validate of an ACTIVE license with its
# machine, then create) prints each round's requests/s and workerd CPU per request, the
# median of the per-round after/before ratios, and the CPU difference.
#
#   bash bench/ab.sh BEFORE [AFTER]     # commits (AFTER defaults to the working tree)
#   knobs: BENCH_ROUNDS (5), BENCH_SECONDS (6), BENCH_CONNECTIONS (8)
#
# Each commit is checked out in target/ab/<sha> (a detached git worktree, reused) and built
# there with the project's pinned tools; the working tree is built in place.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false
ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_PER_ROUND=${BENCH_SECONDS:-6}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
[ $# -ge 1 ] || { echo "usage: bash bench/ab.sh BEFORE [AFTER]" >&2; exit 2; }

ensure_build_tools

# checkout REV: a built tree of REV (the working tree for "."), printed.
checkout() {
  if [ "$1" = . ]; then bash scripts/build.sh >&2; echo "$ROOT"; return; fi
  local sha dir
  sha=$(git rev-parse --short "$1^{commit}")
  dir="$ROOT/target/ab/$sha"
  if [ ! -d "$dir" ]; then
    git worktree add --detach -f "$dir" "$sha" >&2
    ln -s "$ROOT/.tools" "$dir/.tools"
    ln -s "$ROOT/node_modules" "$dir/node_modules"
  fi
  (cd "$dir" && CARGO_TARGET_DIR="$ROOT/target/ab/cargo" bash scripts/build.sh >&2)
  echo "$dir"
}
declare -A DIR=()
DIR[before]=$(checkout "$1")
DIR[after]=$(checkout "${2:-.}")

RUN="$ROOT/target/bench/ab-$$"
mkdir -p "$RUN"
source bench/pair.sh
printf "JWT_SECRET=%s\nRATE_LIMITS=off\nLICENSE_SIGNING_KEY='%s'\n" "$BENCH_SECRET" "$BENCH_SIGNING_KEY" >"$RUN/bench.env"
count() { local v; v=$(field "$1" "$2"); echo "${v:-0}"; } # a field the script may not print

log "starting before (${DIR[before]}) and after (${DIR[after]})"
for name in before after; do
  start_worker "$name" "${DIR[$name]}" "$RUN/bench.env"
  activate_license "$name"
  [[ ${ACTIVATED[$name]} == *'"token":"'* ]] || { log "$name: activation did not answer with a token"; exit 1; }
done

HZ=$(getconf CLK_TCK)
for scenario in validate create; do
  echo
  echo "== $scenario: $ROUNDS x ${SECONDS_PER_ROUND}s each, alternating; wrk -c$CONNECTIONS; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%5s %12s %12s %14s %14s %8s\n' round "before req/s" "after req/s" "before ms CPU" "after ms CPU" ratio
  ratios=() deltas=()
  for round in $(seq "$ROUNDS"); do
    declare -A RATE=() CPU=()
    for name in before after; do
      c0=$(cpu_ticks "${GROUP[$name]}")
      out=$(BENCH_KEY=${KEY[$name]} BENCH_MACHINE=bench-machine BENCH_CLIENT=${CLIENT[$name]} BENCH_PROJECT=${PROJECT[$name]} \
        wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --timeout 10s -s "$ROOT/bench/$scenario.lua" \
        "http://127.0.0.1:${PORT[$name]}" | grep '^BENCH ')
      c1=$(cpu_ticks "${GROUP[$name]}")
      bad=$(($(count not200 "$out") + $(count not201 "$out") + $(count invalid "$out")))
      [ "$bad" = 0 ] || { log "$name $scenario: wrong answers: $out"; exit 1; }
      r=$(field requests "$out") d=$(field duration_us "$out")
      RATE[$name]=$(awk -v r="$r" -v d="$d" 'BEGIN { printf "%.1f", r / (d / 1e6) }')
      CPU[$name]=$(awk -v c=$((c1 - c0)) -v r="$r" -v hz="$HZ" 'BEGIN { printf "%.3f", c * 1000 / hz / r }')
    done
    ratio=$(awk -v a="${RATE[after]}" -v b="${RATE[before]}" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$ratio") deltas+=("$(awk -v a="${CPU[after]}" -v b="${CPU[before]}" 'BEGIN { printf "%.3f", a - b }')")
    printf '%5s %12s %12s %14s %14s %8s\n' "$round" "${RATE[before]}" "${RATE[after]}" "${CPU[before]}" "${CPU[after]}" "$ratio"
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  echo "$scenario: after/before throughput, median of rounds: $(median "${ratios[@]}"); CPU per request after - before, median: $(median "${deltas[@]}") ms"
done
