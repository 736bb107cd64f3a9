#!/usr/bin/env bash
# Times N sequential `POST /license/create` requests (default 200) against a running local
# worker (`bash scripts/dev.sh` in another terminal) and prints min / p50 / p90 / p99 / max
# of curl's total time in milliseconds. Usage: bash bench/time-create.sh [N] (URL= overrides
# the endpoint).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
url=${URL:-http://127.0.0.1:8787/license/create}
token=$(node scripts/dev-token.mjs)
body='{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Hosting","Domain"]}'
for _ in $(seq "$n"); do
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST "$url" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d "$body"
done | awk '{ print ($1 == 201 ? 0 : 1), $2 * 1000 }' | sort -k2 -n | awk '
  { errors += $1; t[NR] = $2 }
  END {
    printf "%d requests, %d not 201; ms: min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
      NR, errors, t[1], t[int(NR * 0.5)], t[int(NR * 0.9)], t[int(NR * 0.99)], t[NR]
  }'
