# Sourced by bench/ab.sh and bench/token-cost.sh, which compare two KeyBox workers under
# `wrangler dev` side by side. Needs ROOT (the project), RUN (this run's directory) and
# scripts/tools.sh sourced; fills the caller's associative arrays GROUP, PORT, KEY, CLIENT,
# PROJECT and ACTIVATED, and stops every worker it started on exit.
# shellcheck shell=bash

declare -A GROUP=() PORT=() KEY=() CLIENT=() PROJECT=() ACTIVATED=()
stop_workers() {
  local name
  for name in "${!GROUP[@]}"; do kill -TERM -- "-${GROUP[$name]}" 2>/dev/null || true; done
  rm -rf "$RUN"
}
trap stop_workers EXIT

command -v wrk >/dev/null || { apt-get install -y -qq wrk >&2 || { apt-get update -qq >&2 && apt-get install -y -qq wrk >&2; }; }

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

BENCH_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
BENCH_SIGNING_KEY=$(node -e 'const { generateKeyPairSync } = require("node:crypto");
  console.log(JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })))')
# An HS256 developer token of BENCH_SECRET, valid for two hours.
BENCH_TOKEN=$(SECRET="$BENCH_SECRET" node -e '
  const { createHmac } = require("node:crypto");
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: "bench-user", iat: now, exp: now + 7200 })}`;
  console.log(`${unsigned}.${createHmac("sha256", process.env.SECRET).update(unsigned).digest("base64url")}`);
')
export BENCH_TOKEN

# start_worker NAME DIR ENV_FILE: a migrated local D1 and `wrangler dev` of the built tree DIR
# with ENV_FILE, in its own process group; returns once it answers.
start_worker() {
  local name=$1 dir=$2 env_file=$3 state="$RUN/$1-d1"
  mkdir -p "$state"
  (cd "$dir" && PATH="$ROOT/node_modules/.bin:$PATH" npx wrangler d1 migrations apply DB --local \
    --persist-to "$state") >"$RUN/$name-migrate.log" 2>&1
  PORT[$name]=$(free_port)
  (cd "$dir" && exec setsid env PATH="$ROOT/node_modules/.bin:$PATH" KEYBOX_PREBUILT=1 npx wrangler dev \
    --ip 127.0.0.1 --port "${PORT[$name]}" --persist-to "$state" --env-file "$env_file" \
    --show-interactive-dev-session=false --log-level warn) </dev/null >"$RUN/$name.log" 2>&1 &
  GROUP[$name]=$!
  until curl -s -o /dev/null "http://127.0.0.1:${PORT[$name]}/health"; do sleep 0.5; done
}

field_of() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(process.argv[1].split(".").reduce((o,k)=>o[k],JSON.parse(s))))' "$1"; }

# activate_license NAME: a client, a project and a license through NAME's API, activated on
# `bench-machine`; sets CLIENT, PROJECT, KEY and ACTIVATED (the activation's answer).
activate_license() {
  local base="http://127.0.0.1:${PORT[$1]}" auth="Authorization: Bearer $BENCH_TOKEN" json='Content-Type: application/json'
  CLIENT[$1]=$(curl -s -X POST "$base/clients" -H "$auth" -H "$json" -d '{"name":"Bench","email":"bench@bench.test"}' | field_of client._id)
  PROJECT[$1]=$(curl -s -X POST "$base/projects" -H "$auth" -H "$json" \
    -d "{\"name\":\"Bench\",\"clientId\":\"${CLIENT[$1]}\"}" | field_of project._id)
  KEY[$1]=$(curl -s -X POST "$base/license/create" -H "$auth" -H "$json" \
    -d "{\"duration\":12,\"clientId\":\"${CLIENT[$1]}\",\"projectId\":\"${PROJECT[$1]}\"}" | field_of license.key)
  ACTIVATED[$1]=$(curl -s -X POST "$base/validate/activate" -H "$json" \
    -d "{\"key\":\"${KEY[$1]}\",\"machineId\":\"bench-machine\"}")
}

cpu_ticks() { # workerd user+system ticks in process group $1
  local total=0 pid
  for pid in $(pgrep -g "$1" -x workerd || true); do
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# field NAME LINE: the number after NAME= in a wrk summary line (empty when absent).
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }
