#!/usr/bin/env bash
# Load benchmark: KeyBox's POST /license/create against a floor worker (bench/floor: one D1
# INSERT, fixed JSON), both under `wrangler dev` on loopback with their own fresh local D1,
# driven alternately by wrk. Prints requests/s, p50/p99 latency, non-201 answers and the CPU
# time workerd (and wrangler's node) spent per request, then the KeyBox/floor throughput ratio.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_ROUNDS (3) timed rounds per worker, alternating; BENCH_SECONDS (10)
# per round; BENCH_WARMUP_SECONDS (3) per worker before the first round; BENCH_CONNECTIONS (8);
# BENCH_THREADS (1) wrk threads; BENCH_GOAL (0.95) the ratio the summary compares against;
# BENCH_PROFILE=1 adds a V8 CPU profile of each worker under load (bench/profile.mjs).
# Exit status: 0 when every answer was 201 and each D1 holds every license answered 201
# (the ratio is reported, not enforced), 1 otherwise. Every process started here is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER_ROUND=${BENCH_SECONDS:-10}
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
THREADS=${BENCH_THREADS:-1}
GOAL=${BENCH_GOAL:-0.95}
READY_TIMEOUT_SECONDS=$((20 * 60)) # a cold wasm build on a fresh machine takes minutes

ensure_build_tools
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  apt-get install -y -qq wrk >&2 || { apt-get update -qq >&2 && apt-get install -y -qq wrk >&2; }
fi
# Build up front so a compile error shows here; `wrangler dev` runs the same (then no-op) build.
bash scripts/build.sh

RUN="$ROOT/target/bench/$$"
mkdir -p "$RUN"
NODE_PATH_ENV="$ROOT/node_modules/.bin:$PATH"
WRANGLER="$ROOT/node_modules/.bin/wrangler"
declare -A GROUP=() PORT=() INSPECTOR=()
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

# start NAME DIR: migrates a fresh local D1 for the wrangler project in DIR and starts
# `wrangler dev` for it in its own process group (its leader's pid is the group id).
start() {
  local name=$1 dir=$2
  local state="$RUN/$name-d1"
  mkdir -p "$state"
  (cd "$dir" && PATH="$NODE_PATH_ENV" "$WRANGLER" d1 migrations apply DB --local --persist-to "$state") \
    >"$RUN/$name-migrate.log" 2>&1 || { tail -20 "$RUN/$name-migrate.log" >&2; return 1; }
  PORT[$name]=$(free_port) INSPECTOR[$name]=$(free_port)
  (
    cd "$dir"
    exec setsid env PATH="$NODE_PATH_ENV" "$WRANGLER" dev --ip 127.0.0.1 --port "${PORT[$name]}" \
      --inspector-port "${INSPECTOR[$name]}" --persist-to "$state" --env-file "$RUN/bench.env" \
      --show-interactive-dev-session=false --log-level warn
  ) </dev/null >"$RUN/$name.log" 2>&1 &
  GROUP[$name]=$!
}

wait_ready() {
  local name=$1 deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "${GROUP[$name]}" 2>/dev/null; then
      log "$name: wrangler dev exited"; tail -40 "$RUN/$name.log" >&2; return 1
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}/")" != 000 ]; then
      return 0
    fi
    sleep 0.5
  done
  log "$name: not ready after ${READY_TIMEOUT_SECONDS}s"; tail -40 "$RUN/$name.log" >&2; return 1
}

# CPU ticks (user + system) of the processes named $2 in process group $1.
cpu_ticks() {
  local total=0 pid ticks
  for pid in $(pgrep -g "$1" -x "$2" || true); do
    ticks=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || ticks=0
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
# RATE_LIMITS=off: a benchmark sends far more than the per-key and per-IP limits allow.
printf 'JWT_SECRET=%s\nRATE_LIMITS=off\n' "$SECRET" >"$RUN/bench.env"
BENCH_TOKEN=$(SECRET="$SECRET" node -e '
  const { createHmac } = require("node:crypto");
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: "60f7b3b3e6b3a72e8c8e4a1a", iat: now, exp: now + 7200 })}`;
  console.log(`${unsigned}.${createHmac("sha256", process.env.SECRET).update(unsigned).digest("base64url")}`);
')
export BENCH_TOKEN

log "starting keybox and floor under wrangler dev (run files: $RUN)"
start keybox "$ROOT"
start floor "$ROOT/bench/floor"
wait_ready keybox
wait_ready floor

# KeyBox creates licenses only for a project of the token's user: make a client and a project
# through the API first (the floor worker ignores the ids).
api_id() { # PATH BODY FIELD: POSTs to keybox, prints the created object's _id
  curl -s -X POST "http://127.0.0.1:${PORT[keybox]}$1" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $BENCH_TOKEN" -d "$2" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]._id))' "$3"
}
BENCH_CLIENT=$(api_id /clients "{\"name\":\"Bench\",\"email\":\"bench-$RANDOM$RANDOM@bench.test\"}" client)
BENCH_PROJECT=$(api_id /projects "{\"name\":\"Bench\",\"clientId\":\"$BENCH_CLIENT\"}" project)
export BENCH_CLIENT BENCH_PROJECT
BENCH_BODY="{\"duration\":12,\"clientId\":\"$BENCH_CLIENT\",\"projectId\":\"$BENCH_PROJECT\",\"services\":[\"Hosting\",\"Domain\"]}"

WORKERS=(keybox floor)
PAIR_RATIOS=()
declare -A RATE=() CREATED=() RUNS=() REQ=() DUR=() P50=() P99=() BAD=() SOCK=() WCPU=() NCPU=()
for name in "${WORKERS[@]}"; do
  CREATED[$name]=0 RUNS[$name]=0 REQ[$name]=0 DUR[$name]=0 P50[$name]=0 P99[$name]=0 BAD[$name]=0
  SOCK[$name]=0 WCPU[$name]=0 NCPU[$name]=0
  answer=$(curl -s -w '\n%{http_code}' -X POST "http://127.0.0.1:${PORT[$name]}/license/create" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $BENCH_TOKEN" \
    -d "$BENCH_BODY")
  if [ "${answer##*$'\n'}" != 201 ]; then
    log "$name: preflight create did not answer 201: $answer"; exit 1
  fi
  CREATED[$name]=1
done

# wrk_run NAME SECONDS: one wrk run; sets LAST (the BENCH summary line).
wrk_run() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${2}s" --timeout 10s -s "$ROOT/bench/create.lua" \
    "http://127.0.0.1:${PORT[$1]}")
  LAST=$(grep '^BENCH ' <<<"$out") || { log "$1: no wrk summary:"; echo "$out" >&2; exit 1; }
  grep '^BENCH_SAMPLE ' <<<"$out" | sed "s/^BENCH_SAMPLE /[keybox] $1 first non-201: /" >&2 || true
  local requests bad
  requests=$(field requests "$LAST") bad=$(field not201 "$LAST")
  CREATED[$1]=$((CREATED[$1] + requests - bad)) RUNS[$1]=$((RUNS[$1] + 1))
}
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }

log "warm-up: ${WARMUP_SECONDS}s each"
for name in "${WORKERS[@]}"; do wrk_run "$name" "$WARMUP_SECONDS"; done

CLK_TCK=$(getconf CLK_TCK)
printf '\n%-7s %5s %9s %9s %9s %8s %8s %14s %14s\n' worker round "req/s" "p50 ms" "p99 ms" non-201 sock-err \
  "workerd ms/req" "node ms/req"
for round in $(seq "$ROUNDS"); do
  for name in "${WORKERS[@]}"; do
    pg=${GROUP[$name]}
    w0=$(cpu_ticks "$pg" workerd) n0=$(cpu_ticks "$pg" node)
    wrk_run "$name" "$SECONDS_PER_ROUND"
    w1=$(cpu_ticks "$pg" workerd) n1=$(cpu_ticks "$pg" node)
    r=$(field requests "$LAST") d=$(field duration_us "$LAST")
    p50=$(field p50_us "$LAST") p99=$(field p99_us "$LAST")
    bad=$(field not201 "$LAST") sock=$(field socket_errors "$LAST")
    REQ[$name]=$((REQ[$name] + r)) DUR[$name]=$((DUR[$name] + d))
    P50[$name]=$((P50[$name] + p50)) P99[$name]=$((P99[$name] + p99))
    BAD[$name]=$((BAD[$name] + bad)) SOCK[$name]=$((SOCK[$name] + sock))
    WCPU[$name]=$((WCPU[$name] + w1 - w0)) NCPU[$name]=$((NCPU[$name] + n1 - n0))
    RATE[$name]=$(awk -v r="$r" -v d="$d" 'BEGIN { printf "%.6f", r / (d / 1e6) }')
    awk -v n="$name" -v k="$round" -v r="$r" -v d="$d" -v p50="$p50" -v p99="$p99" -v bad="$bad" \
      -v sock="$sock" -v w=$((w1 - w0)) -v nd=$((n1 - n0)) -v hz="$CLK_TCK" 'BEGIN {
        printf "%-7s %5s %9.1f %9.2f %9.2f %8d %8d %14.3f %14.3f\n", n, k, r / (d / 1e6), p50 / 1e3,
          p99 / 1e3, bad, sock, w * 1000 / hz / (r ? r : 1), nd * 1000 / hz / (r ? r : 1) }'
  done
  PAIR_RATIOS+=("$(awk -v k="${RATE[keybox]}" -v f="${RATE[floor]}" 'BEGIN { printf "%.4f", k / f }')")
done

echo
echo "== summary: $ROUNDS x ${SECONDS_PER_ROUND}s per worker, alternating; wrk -t$THREADS -c$CONNECTIONS; $(nproc) CPUs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %9s %13s %13s %8s %8s %14s %14s\n' worker "req/s" "p50 ms (avg)" "p99 ms (avg)" non-201 sock-err \
  "workerd ms/req" "node ms/req"
for name in "${WORKERS[@]}"; do
  awk -v n="$name" -v r="${REQ[$name]}" -v d="${DUR[$name]}" -v p50="${P50[$name]}" -v p99="${P99[$name]}" \
    -v k="$ROUNDS" -v bad="${BAD[$name]}" -v sock="${SOCK[$name]}" -v w="${WCPU[$name]}" \
    -v nd="${NCPU[$name]}" -v hz="$CLK_TCK" 'BEGIN {
      printf "%-7s %9.1f %13.2f %13.2f %8d %8d %14.3f %14.3f\n", n, r / (d / 1e6), p50 / k / 1e3,
        p99 / k / 1e3, bad, sock, w * 1000 / hz / (r ? r : 1), nd * 1000 / hz / (r ? r : 1) }'
done
awk -v kr="${REQ[keybox]}" -v kd="${DUR[keybox]}" -v fr="${REQ[floor]}" -v fd="${DUR[floor]}" -v goal="$GOAL" 'BEGIN {
  ratio = (kr / kd) / (fr / fd)
  printf "throughput ratio keybox/floor: %.3f (goal >= %s: %s)\n", ratio, goal, (ratio >= goal) ? "met" : "NOT met" }'
# Each round's keybox run next to the floor run that follows it: the median of these ratios
# shrugs off a round that other load on the machine disturbed.
printf '%s\n' "${PAIR_RATIOS[@]}" | sort -n | awk '{ v[NR] = $1 } END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  printf "per-round ratios: median %.3f, min %.3f, max %.3f\n", m, v[1], v[NR] }'

# BENCH_PROFILE=1: a V8 CPU profile of each worker's isolate under the same load, self time by
# function (wasm functions show as wasm-function[N]: build.sh strips the names section).
if [ -n "${BENCH_PROFILE:-}" ]; then
  for name in "${WORKERS[@]}"; do
    echo; echo "== CPU profile: $name (${SECONDS_PER_ROUND}s under load)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$((SECONDS_PER_ROUND + 2))s" --timeout 10s -s "$ROOT/bench/create.lua" \
      "http://127.0.0.1:${PORT[$name]}" >"$RUN/$name-profile-wrk.log" &
    wrk_pid=$!
    sleep 1
    PATH="$NODE_PATH_ENV" node "$ROOT/bench/profile.mjs" "${INSPECTOR[$name]}" "$SECONDS_PER_ROUND" 30 || true
    wait "$wrk_pid" || true
    # Every answer counted, so the stored-licenses check below still holds.
    grep '^BENCH ' "$RUN/$name-profile-wrk.log" >/dev/null && LAST=$(grep '^BENCH ' "$RUN/$name-profile-wrk.log") &&
      CREATED[$name]=$((CREATED[$name] + $(field requests "$LAST") - $(field not201 "$LAST"))) &&
      RUNS[$name]=$((RUNS[$name] + 1))
  done
fi

# Stop both, then check that each D1 holds every license answered 201. A few more are expected:
# the requests in flight when a wrk run stopped were stored but never counted (about one per
# connection per run); they are shown, not failed on.
for name in "${WORKERS[@]}"; do stop_group "${GROUP[$name]}"; done
status=0
for name in "${WORKERS[@]}"; do
  dir=$ROOT; [ "$name" = floor ] && dir=$ROOT/bench/floor
  stored=$(cd "$dir" && PATH="$NODE_PATH_ENV" "$WRANGLER" d1 execute DB --local --persist-to "$RUN/$name-d1" \
    --json --command 'SELECT count(*) AS n FROM licenses' 2>/dev/null | node -e '
      let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => console.log(JSON.parse(s)[0].results[0].n))')
  echo "$name: $stored licenses stored, ${CREATED[$name]} answered 201 (+$((stored - CREATED[$name])) in flight when wrk stopped; about $((CONNECTIONS * RUNS[$name])) expected)"
  [ "$stored" -ge "${CREATED[$name]}" ] || status=1
  [ "${BAD[$name]}" = 0 ] && [ "${SOCK[$name]}" = 0 ] || status=1
done
FAILED=$status
exit "$status"
