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
command -v wrk >/dev/null || { apt-get install -y -qq wrk >&2 || { apt-get update -qq >&2 && apt-get install -y -qq wrk >&2; }; }
bash scripts/build.sh

RUN="$ROOT/target/bench/token-$$"
mkdir -p "$RUN"
declare -A GROUP=() PORT=()
cleanup() {
  local name
  for name in "${!GROUP[@]}"; do kill -TERM -- "-${GROUP[$name]}" 2>/dev/null || true; done
  rm -rf "$RUN"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
SIGNING_KEY=$(node -e 'const { generateKeyPairSync } = require("node:crypto");
  console.log(JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })))')
printf 'JWT_SECRET=%s\nRATE_LIMITS=off\n' "$SECRET" >"$RUN/plain.env"
printf "JWT_SECRET=%s\nRATE_LIMITS=off\nLICENSE_SIGNING_KEY='%s'\n" "$SECRET" "$SIGNING_KEY" >"$RUN/signed.env"
TOKEN=$(SECRET="$SECRET" node -e '
  const { createHmac } = require("node:crypto");
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: "HS256" })}.${b64({ sub: "bench-user", exp: now + 7200 })}`;
  console.log(`${unsigned}.${createHmac("sha256", process.env.SECRET).update(unsigned).digest("base64url")}`);
')

# start NAME: a migrated local D1 and `wrangler dev` with NAME.env, in its own process group.
start() {
  local name=$1 state="$RUN/$1-d1"
  mkdir -p "$state"
  PATH="$ROOT/node_modules/.bin:$PATH" npx wrangler d1 migrations apply DB --local --persist-to "$state" >"$RUN/$name-migrate.log" 2>&1
  PORT[$name]=$(free_port)
  (exec setsid env PATH="$ROOT/node_modules/.bin:$PATH" KEYBOX_PREBUILT=1 npx wrangler dev --ip 127.0.0.1 \
    --port "${PORT[$name]}" --persist-to "$state" --env-file "$RUN/$name.env" \
    --show-interactive-dev-session=false --log-level warn) </dev/null >"$RUN/$name.log" 2>&1 &
  GROUP[$name]=$!
  until curl -s -o /dev/null "http://127.0.0.1:${PORT[$name]}/health"; do sleep 0.5; done
}

# activate NAME: a client, a project and a license through the API, activated on `bench-machine`;
# prints the key.
activate() {
  local base="http://127.0.0.1:${PORT[$1]}" auth="Authorization: Bearer $TOKEN" json='Content-Type: application/json'
  local id client project key
  id() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(process.argv[1].split(".").reduce((o,k)=>o[k],JSON.parse(s))))' "$1"; }
  client=$(curl -s -X POST "$base/clients" -H "$auth" -H "$json" -d '{"name":"Bench","email":"bench@bench.test"}' | id client._id)
  project=$(curl -s -X POST "$base/projects" -H "$auth" -H "$json" -d "{\"name\":\"Bench\",\"clientId\":\"$client\"}" | id project._id)
  key=$(curl -s -X POST "$base/license/create" -H "$auth" -H "$json" \
    -d "{\"duration\":12,\"clientId\":\"$client\",\"projectId\":\"$project\"}" | id license.key)
  curl -s -X POST "$base/validate/activate" -H "$json" -d "{\"key\":\"$key\",\"machineId\":\"bench-machine\"}" >/dev/null
  echo "$key"
}

cpu_ticks() { # workerd user+system ticks in process group $1
  local total=0 pid
  for pid in $(pgrep -g "$1" -x workerd || true); do
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

log "starting the worker with and without LICENSE_SIGNING_KEY"
start plain
start signed
declare -A KEY=() REQ=() DUR=() CPU=()
for name in plain signed; do
  KEY[$name]=$(activate "$name") REQ[$name]=0 DUR[$name]=0 CPU[$name]=0
  answer=$(curl -s -X POST "http://127.0.0.1:${PORT[$name]}/validate" -H 'Content-Type: application/json' \
    -d "{\"key\":\"${KEY[$name]}\",\"machineId\":\"bench-machine\"}")
  case "$name:$answer" in
    signed:*'"token":"'*) log "signed: $(sed 's/.*"token":"\([^"]*\)".*/\1/' <<<"$answer" | wc -c) bytes of token" ;;
    plain:*'"valid":true'*) ;;
    *) log "$name: unexpected validate answer: $answer"; exit 1 ;;
  esac
done

HZ=$(getconf CLK_TCK)
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }
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
