#!/usr/bin/env bash
# Load benchmark of issue 12, one run: KeyBox against the least each call can cost on this
# runtime, every worker under `wrangler dev` on loopback, driven alternately by wrk.
#
#   create          POST /license/create: KeyBox (D1) vs the floor (one D1 INSERT, fixed JSON)
#                   vs the same contract in plain JavaScript (bench/plain-js: HS256 with
#                   WebCrypto, body validated, one INSERT … SELECT with the ownership check)
#   validate-d1     POST /validate of an ACTIVE license with its machine, a LICENSE_SIGNING_KEY
#                   configured (the signed token is on the path): KeyBox (D1) vs the floor
#                   (one D1 SELECT by key, fixed JSON), and vs the same validate in plain
#                   JavaScript (bench/plain-js: body checked, the session read, the verdict, an
#                   Ed25519 token signed by WebCrypto) for reference
#   validate-mongo  the same on STORAGE=mongodb against the HTTP suite's Data API double
#                   (bench/data_api_double): KeyBox vs the floor (one Data API findOne)
#
# Per scenario: each round's req/s, p50/p99 latency, wrong answers and the CPU workerd (and
# wrangler's node) spent per request; the throughput ratio per round and its median, p99 and
# CPU against the goals. Also each worker's cold start (wrangler dev "ready", i.e. its port
# accepting, to the first answered request) and the wasm compile + instantiate time.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_ROUNDS (5) timed rounds per worker, alternating, the first worker
# rotating each round; BENCH_SECONDS (5) per round; BENCH_WARMUP_SECONDS (3) per worker and
# scenario; BENCH_CONNECTIONS (8); BENCH_THREADS (1) wrk threads; BENCH_GOAL (0.95) the ratio
# goal; BENCH_SCENARIOS ("create validate-d1 validate-mongo") a subset to run; BENCH_COLD_STARTS
# (3) starts of KeyBox (D1) and of the floor each, the later ones after the load; BENCH_PROFILE=1
# adds a V8 CPU profile of KeyBox's and the floor's isolate under create load (bench/profile.mjs);
# KEEP_BENCH_STATE=1 keeps logs and D1 in target/bench/.
# Exit status: 0 when every answer was right (201 for create; 200 with "valid":true for
# validate), no socket errors, and each create D1 holds every license answered 201; the goals
# are reported, not enforced. 1 otherwise. Every process started here is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false

ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_PER_ROUND=${BENCH_SECONDS:-5}
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
THREADS=${BENCH_THREADS:-1}
GOAL=${BENCH_GOAL:-0.95}
COLD_STARTS=${BENCH_COLD_STARTS:-3}
read -r -a SCENARIOS <<<"${BENCH_SCENARIOS:-create validate-d1 validate-mongo}"
READY_TIMEOUT_SECONDS=$((20 * 60))
MACHINE=bench-machine
# The floor's validate license (bench/floor/index.js, bench/seed.sql) and the plain-JS
# worker's seeded client and project (bench/seed.sql), owned by the bench token's user.
FLOOR_KEY=KB-60f7b3b3e6b3a72e8c8e4a1b-FLOO-RBEN-CH01
SEED_CLIENT=60f7b3b3e6b3a72e8c8e4a1a
SEED_PROJECT=60f7b3b3e6b3a72e8c8e4a1b
BENCH_USER=60f7b3b3e6b3a72e8c8e4a1a

wants() { [[ " ${SCENARIOS[*]} " == *" $1 "* ]]; }
for s in "${SCENARIOS[@]}"; do
  case $s in create | validate-d1 | validate-mongo) ;; *) log "unknown scenario: $s"; exit 2 ;; esac
done

ensure_build_tools
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  apt-get install -y -qq wrk >&2 || { apt-get update -qq >&2 && apt-get install -y -qq wrk >&2; }
fi
# Build up front so a compile error shows here; the workers then start on this build.
bash scripts/build.sh
if wants validate-mongo; then
  log "building the Data API double (cargo build --example data_api_double)"
  cargo build --quiet --example data_api_double
fi

RUN="$ROOT/target/bench/$$"
mkdir -p "$RUN"
NODE_PATH_ENV="$ROOT/node_modules/.bin:$PATH"
WRANGLER="$ROOT/node_modules/.bin/wrangler"
declare -A GROUP=() PORT=() INSPECTOR=() DIR=() COLD=()
FAILED=1

stop_group() {
  local pg=$1 i
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 -- "-$pg" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

cleanup() {
  local name
  for name in "${!GROUP[@]}"; do
    stop_group "${GROUP[$name]}"
  done
  if [ "$FAILED" = 0 ] && [ -z "${KEEP_BENCH_STATE:-}" ]; then
    rm -rf "$RUN"
  else
    log "benchmark files (logs, D1) kept in $RUN"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wrangler_in() { # DIR ARGS...: wrangler for the project in DIR
  local dir=$1
  shift
  (cd "$dir" && PATH="$NODE_PATH_ENV" "$WRANGLER" "$@")
}

# migrate NAME SEED: a fresh, migrated local D1 for NAME (SEED=1: plus bench/seed.sql).
migrate() {
  local name=$1 state="$RUN/$1-d1"
  mkdir -p "$state"
  wrangler_in "${DIR[$name]}" d1 migrations apply DB --local --persist-to "$state" \
    >"$RUN/$name-migrate.log" 2>&1 || { tail -20 "$RUN/$name-migrate.log" >&2; return 1; }
  if [ "$2" = 1 ]; then
    wrangler_in "${DIR[$name]}" d1 execute DB --local --persist-to "$state" --file "$ROOT/bench/seed.sql" \
      >>"$RUN/$name-migrate.log" 2>&1 || { tail -20 "$RUN/$name-migrate.log" >&2; return 1; }
  fi
}

# start NAME: `wrangler dev` for NAME's project with $RUN/NAME.env, in its own process group
# (its leader's pid is the group id); then its cold start: port accepting, first answer.
start() {
  local name=$1 cold
  PORT[$name]=$(free_port) INSPECTOR[$name]=$(free_port)
  (
    cd "${DIR[$name]}"
    exec setsid env PATH="$NODE_PATH_ENV" KEYBOX_PREBUILT=1 "$WRANGLER" dev --ip 127.0.0.1 \
      --port "${PORT[$name]}" --inspector-port "${INSPECTOR[$name]}" --persist-to "$RUN/$name-d1" \
      --env-file "$RUN/$name.env" --show-interactive-dev-session=false --log-level warn
  ) </dev/null >"$RUN/$name.log" 2>&1 &
  GROUP[$name]=$!
  # A path no worker serves: every one answers 404 without touching storage.
  cold=$(PATH="$NODE_PATH_ENV" node "$ROOT/bench/cold-start.mjs" "${PORT[$name]}" /bench-cold-start \
    "$READY_TIMEOUT_SECONDS" "${GROUP[$name]}") || { log "$name: did not start"; tail -40 "$RUN/$name.log" >&2; return 1; }
  COLD[$name]+="$cold"$'\n'
}

SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
SIGNING_KEY=$(node -e 'const { generateKeyPairSync } = require("node:crypto");
  console.log(JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })))')
BENCH_TOKEN=$(SECRET="$SECRET" SUB="$BENCH_USER" node -e '
  const { createHmac } = require("node:crypto");
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: process.env.SUB, iat: now, exp: now + 7200 })}`;
  console.log(`${unsigned}.${createHmac("sha256", process.env.SECRET).update(unsigned).digest("base64url")}`);
')
export BENCH_TOKEN
# RATE_LIMITS=off: a benchmark sends far more than the per-key and per-IP limits allow. The
# signing key puts the signed license token on every validate's path.
printf "JWT_SECRET=%s\nRATE_LIMITS=off\nLICENSE_SIGNING_KEY='%s'\n" "$SECRET" "$SIGNING_KEY" >"$RUN/keybox.env"
printf "JWT_SECRET=%s\nLICENSE_SIGNING_KEY='%s'\n" "$SECRET" "$SIGNING_KEY" >"$RUN/plain-js.env"
: >"$RUN/floor.env"

# Which workers the chosen scenarios need.
declare -A NEEDED=()
if wants create; then NEEDED[keybox]=1 NEEDED[floor]=1 NEEDED[plain-js]=1; fi
if wants validate-d1; then NEEDED[keybox]=1 NEEDED[floor]=1 NEEDED[plain-js]=1; fi
if wants validate-mongo; then NEEDED[keybox-mongo]=1 NEEDED[floor]=1; fi
needed() { [ -n "${NEEDED[$1]:-}" ]; }
DIR[keybox]=$ROOT DIR[keybox-mongo]=$ROOT DIR[floor]=$ROOT/bench/floor DIR[plain-js]=$ROOT/bench/plain-js

if needed keybox-mongo; then
  API_KEY=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  (exec setsid "$ROOT/target/debug/examples/data_api_double" "$API_KEY") </dev/null >"$RUN/double.out" 2>&1 &
  GROUP[double]=$!
  for _ in $(seq 100); do grep -q '^MONGODB_DATA_API_URL=' "$RUN/double.out" && break; sleep 0.1; done
  read -r url source database < <(grep '^MONGODB_DATA_API_URL=' "$RUN/double.out") ||
    { log "the Data API double did not start"; cat "$RUN/double.out" >&2; exit 1; }
  MONGO_ENV=$(printf '%s\nMONGODB_API_KEY=%s\n%s\n%s\n' "$url" "$API_KEY" "$source" "$database")
  printf 'STORAGE=mongodb\n%s\n' "$MONGO_ENV" | cat "$RUN/keybox.env" - >"$RUN/keybox-mongo.env"
  printf '%s\n' "$MONGO_ENV" >"$RUN/floor.env"
  DOUBLE_URL=${url#MONGODB_DATA_API_URL=}
fi

log "migrating fresh local D1s, then starting the workers one at a time (run files: $RUN)"
if needed keybox; then migrate keybox 0; fi
if needed floor; then migrate floor 1; fi
if needed plain-js; then migrate plain-js 1; fi
# One at a time, so that each cold start is timed without the others starting beside it.
for name in keybox keybox-mongo floor plain-js; do
  if needed "$name"; then start "$name"; fi
done

# Through KeyBox's API (D1 or MongoDB): a client, a project, a license, activated on MACHINE.
call() { # NAME PATH BODY [AUTH]: POSTs to NAME, prints the answer
  local auth=()
  [ "${4:-}" = auth ] && auth=(-H "Authorization: Bearer $BENCH_TOKEN")
  curl -s -X POST "http://127.0.0.1:${PORT[$1]}$2" -H 'Content-Type: application/json' "${auth[@]}" -d "$3"
}
pick() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o&&o[k],JSON.parse(s));if(v===undefined){console.error("no "+process.argv[1]+" in "+s);process.exit(1)}console.log(v)})' "$1"; }
declare -A CLIENT=() PROJECT=() KEY=()
setup_keybox() {
  local name=$1
  CLIENT[$name]=$(call "$name" /clients "{\"name\":\"Bench\",\"email\":\"bench-$RANDOM$RANDOM@bench.test\"}" auth | pick client._id)
  PROJECT[$name]=$(call "$name" /projects "{\"name\":\"Bench\",\"clientId\":\"${CLIENT[$name]}\"}" auth | pick project._id)
  KEY[$name]=$(call "$name" /license/create \
    "{\"duration\":12,\"clientId\":\"${CLIENT[$name]}\",\"projectId\":\"${PROJECT[$name]}\"}" auth | pick license.key)
  # The preflight below checks that it took: validate answers "valid":true only on an ACTIVE
  # license with this machine.
  call "$name" /validate/activate "{\"key\":\"${KEY[$name]}\",\"machineId\":\"$MACHINE\"}" >/dev/null
}
if needed keybox; then setup_keybox keybox; fi
if needed keybox-mongo; then
  setup_keybox keybox-mongo
  # The floor's license in the double: KeyBox's activated document under the floor's key, so
  # that both read the same document.
  DOUBLE_URL=$DOUBLE_URL API_KEY=$API_KEY FROM=${KEY[keybox-mongo]} TO=$FLOOR_KEY \
    SOURCE=${source#*=} DATABASE=${database#*=} node --input-type=module -e '
    const { DOUBLE_URL, API_KEY, FROM, TO, SOURCE, DATABASE } = process.env;
    const call = async (action, body) => {
      const r = await fetch(`${DOUBLE_URL}/action/${action}`, { method: "POST",
        headers: { "content-type": "application/ejson", accept: "application/ejson", "api-key": API_KEY },
        body: JSON.stringify({ dataSource: SOURCE, database: DATABASE, collection: "licenses", ...body }) });
      if (!r.ok) throw new Error(`${action}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const { document } = await call("findOne", { filter: { key: FROM } });
    document.key = TO;
    document._id = { $oid: "60f7b3b3e6b3a72e8c8e4a1c" };
    await call("insertOne", { document });
  '
fi
KEY[floor]=$FLOOR_KEY KEY[plain-js]=$FLOOR_KEY
CLIENT[floor]=$SEED_CLIENT PROJECT[floor]=$SEED_PROJECT
CLIENT[plain-js]=$SEED_CLIENT PROJECT[plain-js]=$SEED_PROJECT

# A scenario's workers (the first is KeyBox, compared with each of the others), wrk script, and
# each worker's path.
declare -A WORKERS=() SCRIPT=() WPATH=()
WORKERS[create]="keybox floor plain-js" SCRIPT[create]=create.lua
WORKERS[validate-d1]="keybox floor plain-js" SCRIPT[validate-d1]=validate.lua
WORKERS[validate-mongo]="keybox-mongo floor" SCRIPT[validate-mongo]=validate.lua
for s in create validate-d1 validate-mongo; do
  for name in ${WORKERS[$s]}; do WPATH[$s/$name]=/validate; done
done
WPATH[create/keybox]=/license/create WPATH[create/floor]=/license/create WPATH[create/plain-js]=/license/create
WPATH[validate-mongo/floor]=/mongo/validate

# Each answer checked once before any load: a wrong setup fails here, with the answer shown.
for s in "${SCENARIOS[@]}"; do
  for name in ${WORKERS[$s]}; do
    if [ "$s" = create ]; then
      answer=$(call "$name" /license/create \
        "{\"duration\":12,\"clientId\":\"${CLIENT[$name]}\",\"projectId\":\"${PROJECT[$name]}\",\"services\":[\"Hosting\",\"Domain\"]}" auth)
      [[ $name = floor || $answer == *'"message":"License created","license":{"key":"'* ]] ||
        { log "$name: create answered $answer"; exit 1; }
    else
      answer=$(call "$name" "${WPATH[$s/$name]}" "{\"key\":\"${KEY[$name]}\",\"machineId\":\"$MACHINE\"}")
      [[ $answer == *'"valid":true'* ]] || { log "$name: validate answered $answer"; exit 1; }
      [[ $name = floor || $answer == *'"token":"'* ]] || { log "$name: no signed token in $answer"; exit 1; }
    fi
  done
done

# CPU ticks (user + system) of the processes named $2 in process group $1.
cpu_ticks() {
  local total=0 pid ticks
  for pid in $(pgrep -g "$1" -x "$2" || true); do
    ticks=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || ticks=0
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}
field() { # NAME LINE: the number NAME= in LINE, 0 when absent
  local v
  v=$(sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2")
  echo "${v:-0}"
}

declare -A ANSWERED=() RUNS=()
BAD_TOTAL=0
# load SCENARIO NAME SECONDS: one wrk run; sets LAST (its BENCH line) and BAD (wrong answers +
# socket errors); counts the 201s of creates for the storage check.
load() {
  local s=$1 name=$2 out requests
  out=$(BENCH_PATH=${WPATH[$s/$name]} BENCH_KEY=${KEY[$name]} BENCH_MACHINE=$MACHINE \
    BENCH_CLIENT=${CLIENT[$name]:-} BENCH_PROJECT=${PROJECT[$name]:-} \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${3}s" --timeout 10s -s "$ROOT/bench/${SCRIPT[$s]}" \
    "http://127.0.0.1:${PORT[$name]}")
  LAST=$(grep '^BENCH ' <<<"$out") || { log "$name: no wrk summary:"; echo "$out" >&2; exit 1; }
  grep '^BENCH_SAMPLE ' <<<"$out" | sed "s/^BENCH_SAMPLE /[bench] $s $name first wrong answer: /" >&2 || true
  requests=$(field requests "$LAST")
  BAD=$(($(field not201 "$LAST") + $(field not200 "$LAST") + $(field invalid "$LAST") + $(field socket_errors "$LAST")))
  BAD_TOTAL=$((BAD_TOTAL + BAD))
  if [ "$s" = create ]; then
    ANSWERED[$name]=$((${ANSWERED[$name]:-0} + requests - $(field not201 "$LAST")))
    RUNS[$name]=$((${RUNS[$name]:-0} + 1))
  fi
}

RESULTS="$RUN/results.tsv"
: >"$RESULTS"
for s in "${SCENARIOS[@]}"; do
  read -r -a workers <<<"${WORKERS[$s]}"
  log "$s: warm-up ${WARMUP_SECONDS}s per worker, then $ROUNDS rounds of ${SECONDS_PER_ROUND}s (${workers[*]})"
  for name in "${workers[@]}"; do load "$s" "$name" "$WARMUP_SECONDS"; done
  for round in $(seq "$ROUNDS"); do
    n=${#workers[@]}
    for i in $(seq 0 $((n - 1))); do
      name=${workers[$(((i + round - 1) % n))]}
      pg=${GROUP[$name]}
      w0=$(cpu_ticks "$pg" workerd) n0=$(cpu_ticks "$pg" node)
      load "$s" "$name" "$SECONDS_PER_ROUND"
      w1=$(cpu_ticks "$pg" workerd) n1=$(cpu_ticks "$pg" node)
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$name" "$round" \
        "$(field requests "$LAST")" "$(field duration_us "$LAST")" "$(field p50_us "$LAST")" \
        "$(field p99_us "$LAST")" "$BAD" $((w1 - w0)) $((n1 - n0)) >>"$RESULTS"
    done
  done
done

# BENCH_PROFILE=1: a V8 CPU profile of KeyBox's and the floor's isolate under create load, self
# time by function (wasm functions show as wasm-function[N]: build.sh strips the names section).
if [ -n "${BENCH_PROFILE:-}" ] && wants create; then
  for name in keybox floor; do
    echo; echo "== CPU profile: $name, create (${SECONDS_PER_ROUND}s under load)"
    BENCH_CLIENT=${CLIENT[$name]} BENCH_PROJECT=${PROJECT[$name]} wrk -t"$THREADS" -c"$CONNECTIONS" \
      -d"$((SECONDS_PER_ROUND + 2))s" --timeout 10s -s "$ROOT/bench/create.lua" \
      "http://127.0.0.1:${PORT[$name]}" >"$RUN/$name-profile-wrk.log" &
    wrk_pid=$!
    sleep 1
    PATH="$NODE_PATH_ENV" node "$ROOT/bench/profile.mjs" "${INSPECTOR[$name]}" "$SECONDS_PER_ROUND" 30 || true
    wait "$wrk_pid" || true
    # Every answer counted, so the stored-licenses check below still holds.
    if LAST=$(grep '^BENCH ' "$RUN/$name-profile-wrk.log"); then
      ANSWERED[$name]=$((${ANSWERED[$name]:-0} + $(field requests "$LAST") - $(field not201 "$LAST")))
      RUNS[$name]=$((${RUNS[$name]:-0} + 1))
    fi
  done
fi

echo
echo "== $ROUNDS x ${SECONDS_PER_ROUND}s per worker and scenario, alternating; wrk -t$THREADS -c$CONNECTIONS; $(nproc) CPUs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
PATH="$NODE_PATH_ENV" node "$ROOT/bench/report.mjs" "$RESULTS" "$(getconf CLK_TCK)" "$GOAL"

# More cold starts of KeyBox (D1) and the floor, alternately: restarted on the same state.
for i in $(seq 2 "$COLD_STARTS"); do
  for name in keybox floor; do
    if needed "$name"; then stop_group "${GROUP[$name]}"; start "$name"; fi
  done
done

echo
echo "== cold start: wrangler dev launched -> its port accepting (accept_ms) -> first answer to GET /bench-cold-start (first_answer_ms); one worker starting at a time"
for name in keybox keybox-mongo floor plain-js; do
  [ -n "${COLD[$name]:-}" ] || continue
  samples=${COLD[$name]%$'\n'}
  grep -o 'first_answer_ms=[0-9.]*' <<<"$samples" | cut -d= -f2 | sort -n | awk -v n="$name" -v all="${samples//$'\n'/; }" '
    { v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%-13s first answer: median %.0f ms of %d (%s)\n", n, m, NR, all }'
done
PATH="$NODE_PATH_ENV" node "$ROOT/bench/instantiate.mjs" "$ROOT/build/index_bg.wasm" 5

# Stop the workers, then check that each create D1 holds every license answered 201. A few more
# are expected: the requests in flight when a wrk run stopped were stored but never counted
# (about one per connection per run); they are shown, not failed on.
for name in "${!GROUP[@]}"; do stop_group "${GROUP[$name]}"; done
status=0
[ "$BAD_TOTAL" = 0 ] || { log "$BAD_TOTAL wrong answers or socket errors"; status=1; }
if wants create; then
  echo
  for name in keybox floor plain-js; do
    stored=$(wrangler_in "${DIR[$name]}" d1 execute DB --local --persist-to "$RUN/$name-d1" \
      --json --command 'SELECT count(*) AS n FROM licenses' 2>/dev/null | node -e '
        let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => console.log(JSON.parse(s)[0].results[0].n))')
    echo "$name: $stored licenses stored, ${ANSWERED[$name]} answered 201 by wrk (+$((stored - ANSWERED[$name])): set-up, preflight, in flight when wrk stopped; about $((CONNECTIONS * RUNS[$name])) expected)"
    [ "$stored" -ge "${ANSWERED[$name]}" ] || status=1
  done
fi
FAILED=$status
exit "$status"
