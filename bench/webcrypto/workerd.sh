#!/usr/bin/env bash
# WebCrypto verify cost inside workerd (the runtime the worker uses), for the pure Rust vs
# WebCrypto decision in docs/tokens.md: per algorithm, the time of requests doing N verifications
# minus the time of requests doing none, divided by N. Starts a throwaway worker (worker.mjs,
# wrangler.toml beside this script) under `wrangler dev` and stops it at the end.
# Usage: N=2000 bash bench/webcrypto/workerd.sh
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
export PATH="$ROOT/node_modules/.bin:$PATH" WRANGLER_SEND_METRICS=false
PORT=${PORT:-8797}
N=${N:-400}
setsid wrangler dev --config wrangler.toml --ip 127.0.0.1 --port "$PORT" --inspector-port $((PORT + 1)) \
  --show-interactive-dev-session=false >/tmp/keybox-webcrypto-bench.log 2>&1 &
PID=$!
trap 'kill -- -$PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/?n=0" >/dev/null && break; sleep 0.5; done
node - "$PORT" "$N" <<'JS'
const [port, n] = process.argv.slice(2).map(Number);
const get = (q) => fetch(`http://127.0.0.1:${port}/?${q}`).then((r) => r.text());
const time = async (q, rounds) => {
  const times = [];
  for (let i = 0; i < rounds; i++) { const t = performance.now(); await get(q); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  return times[Math.floor(rounds / 2)];
};
console.log("alg      µs/verify in workerd (WebCrypto, key imported once)");
for (const alg of ["HS256", "RS256", "PS256", "ES256", "EdDSA"]) {
  await get(`alg=${alg}&n=10`);
  const base = await time(`alg=${alg}&n=0`, 15);
  const full = await time(`alg=${alg}&n=${n}`, 15);
  console.log(`${alg.padEnd(8)} ${(((full - base) * 1000) / n).toFixed(1).padStart(8)}`);
}
JS
