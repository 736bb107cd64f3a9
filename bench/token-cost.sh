#!/usr/bin/env bash
# What a signed license token costs inside the worker: the same build under `wrangler dev`
# twice, with and without LICENSE_SIGNING_KEY, each validating one ACTIVE license with its
# machine under wrk, alternately. Prints requests/s and workerd CPU per request for both; the
# CPU difference is the token (claims, Ed25519 signature, base64) per validate.
#
#   bash bench/token-cost.sh        # knobs: BENCH_ROUNDS (3), BENCH_SECONDS (8), BENCH_CONNECTIONS (8)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false
ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER_ROUND=${BENCH_SECONDS:-8}
CONNECTIONS=${BENCH_CONNECTIONS:-8}

ensure_build_tools
bash scripts/build.sh

RUN="$ROOT/target/bench/token-$$"
mkdir -p "$RUN"
source bench/pair.sh
printf 'JWT_SECRET=%s\nRATE_LIMITS=off\n' "$BENCH_SECRET" >"$RUN/plain.env"
printf "JWT_SECRET=%s\nRATE_LIMITS=off\nLICENSE_SIGNING_KEY='%s'\n" "$BENCH_SECRET" "$BENCH_SIGNING_KEY" >"$RUN/signed.env"

log "starting the worker with and without LICENSE_SIGNING_KEY"
start_worker plain "$ROOT" "$RUN/plain.env"
start_worker signed "$ROOT" "$RUN/signed.env"
declare -A REQ=() DUR=() CPU=()
for name in plain signed; do
  activate_license "$name"
  REQ[$name]=0 DUR[$name]=0 CPU[$name]=0
  answer=$(curl -s -X POST "http://127.0.0.1:${PORT[$name]}/validate" -H 'Content-Type: application/json' \
    -d "{\"key\":\"${KEY[$name]}\",\"machineId\":\"bench-machine\"}")
  case "$name:$answer" in
    signed:*'"token":"'*) log "signed: $(sed 's/.*"token":"\([^"]*\)".*/\1/' <<<"$answer" | wc -c) bytes of token" ;;
    plain:*'"valid":true'*) ;;
    *) log "$name: unexpected validate answer: $answer"; exit 1 ;;
  esac
done

HZ=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
  for name in plain signed; do
    c0=$(cpu_ticks "${GROUP[$name]}")
    out=$(BENCH_KEY=${KEY[$name]} BENCH_MACHINE=bench-machine wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" \
      -s "$ROOT/bench/validate.lua" "http://127.0.0.1:${PORT[$name]}" | grep '^BENCH ')
    c1=$(cpu_ticks "${GROUP[$name]}")
    [ "$(field not200 "$out")" = 0 ] && [ "$(field invalid "$out")" = 0 ] || { log "$name: bad answers: $out"; exit 1; }
    REQ[$name]=$((REQ[$name] + $(field requests "$out"))) DUR[$name]=$((DUR[$name] + $(field duration_us "$out")))
    CPU[$name]=$((CPU[$name] + c1 - c0))
  done
done
printf '%-7s %9s %15s\n' worker "req/s" "workerd ms/req"
for name in plain signed; do
  awk -v n="$name" -v r="${REQ[$name]}" -v d="${DUR[$name]}" -v c="${CPU[$name]}" -v hz="$HZ" \
    'BEGIN { printf "%-7s %9.1f %15.3f\n", n, r / (d / 1e6), c * 1000 / hz / r }'
done
awk -v rp="${REQ[plain]}" -v cp="${CPU[plain]}" -v rs="${REQ[signed]}" -v cs="${CPU[signed]}" -v hz="$HZ" \
  'BEGIN { printf "token cost inside the worker: %.3f ms of workerd CPU per validate\n", (cs / rs - cp / rp) * 1000 / hz }'
