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
command -v wrk >/dev/null || { apt-get install -y -qq wrk >&2 || { apt-get update -qq >&2 && apt-get install -y -qq wrk >&2; }; }

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
declare -A DIR=() GROUP=() PORT=() KEY=()
DIR[before]=$(checkout "$1")
DIR[after]=$(checkout "${2:-.}")

RUN="$ROOT/target/bench/ab-$$"
mkdir -p "$RUN"
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
printf "JWT_SECRET=%s\nRATE_LIMITS=off\nLICENSE_SIGNING_KEY='%s'\n" "$SECRET" "$SIGNING_KEY" >"$RUN/bench.env"
BENCH_TOKEN=$(SECRET="$SECRET" node -e '
  const { createHmac } = require("node:crypto");
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: "bench-user", iat: now, exp: now + 7200 })}`;
  console.log(`${unsigned}.${createHmac("sha256", process.env.SECRET).update(unsigned).digest("base64url")}`);
')
export BENCH_TOKEN

start() { # NAME: migrated D1 and `wrangler dev` of DIR[NAME], in its own process group
  local name=$1 state="$RUN/$1-d1"
  mkdir -p "$state"
  (cd "${DIR[$name]}" && PATH="$ROOT/node_modules/.bin:$PATH" npx wrangler d1 migrations apply DB --local \
    --persist-to "$state") >"$RUN/$name-migrate.log" 2>&1
  PORT[$name]=$(free_port)
  (cd "${DIR[$name]}" && exec setsid env PATH="$ROOT/node_modules/.bin:$PATH" KEYBOX_PREBUILT=1 npx wrangler dev \
    --ip 127.0.0.1 --port "${PORT[$name]}" --persist-to "$state" --env-file "$RUN/bench.env" \
    --show-interactive-dev-session=false --log-level warn) </dev/null >"$RUN/$name.log" 2>&1 &
  GROUP[$name]=$!
  until curl -s -o /dev/null "http://127.0.0.1:${PORT[$name]}/health"; do sleep 0.5; done
}

field_of() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(process.argv[1].split(".").reduce((o,k)=>o[k],JSON.parse(s))))' "$1"; }
prepare() { # NAME: a client, a project and an ACTIVE license on `bench-machine`
  local base="http://127.0.0.1:${PORT[$1]}" auth="Authorization: Bearer $BENCH_TOKEN" json='Content-Type: application/json'
  local client project
  client=$(curl -s -X POST "$base/clients" -H "$auth" -H "$json" -d '{"name":"Bench","email":"bench@bench.test"}' | field_of client._id)
  project=$(curl -s -X POST "$base/projects" -H "$auth" -H "$json" -d "{\"name\":\"Bench\",\"clientId\":\"$client\"}" | field_of project._id)
  KEY[$1]=$(curl -s -X POST "$base/license/create" -H "$auth" -H "$json" \
    -d "{\"duration\":12,\"clientId\":\"$client\",\"projectId\":\"$project\"}" | field_of license.key)
  curl -s -X POST "$base/validate/activate" -H "$json" -d "{\"key\":\"${KEY[$1]}\",\"machineId\":\"bench-machine\"}" |
    grep -q '"token":"' || { log "$1: activation did not answer with a token"; exit 1; }
  printf '%s %s\n' "$client" "$project" >"$RUN/$1.ids"
}

cpu_ticks() { # workerd user+system ticks in process group $1
  local total=0 pid
  for pid in $(pgrep -g "$1" -x workerd || true); do
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }
count() { local v; v=$(field "$1" "$2"); echo "${v:-0}"; } # a field the script may not print

log "starting before (${DIR[before]}) and after (${DIR[after]})"
start before
start after
prepare before
prepare after

HZ=$(getconf CLK_TCK)
for scenario in validate create; do
  echo
  echo "== $scenario: $ROUNDS x ${SECONDS_PER_ROUND}s each, alternating; wrk -c$CONNECTIONS; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%5s %12s %12s %14s %14s %8s\n' round "before req/s" "after req/s" "before ms CPU" "after ms CPU" ratio
  ratios=() deltas=()
  for round in $(seq "$ROUNDS"); do
    declare -A RATE=() CPU=()
    for name in before after; do
      read -r client project <"$RUN/$name.ids"
      c0=$(cpu_ticks "${GROUP[$name]}")
      out=$(BENCH_KEY=${KEY[$name]} BENCH_MACHINE=bench-machine BENCH_CLIENT=$client BENCH_PROJECT=$project \
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
