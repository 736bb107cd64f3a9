#!/usr/bin/env bash
# Starts the worker locally: `wrangler dev` on http://127.0.0.1:8787 with a migrated local D1
# and a dev secret in .dev.vars (created with a random JWT_SECRET on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false
ensure_node_modules
if [ ! -f .dev.vars ]; then
  log "creating .dev.vars with a random JWT_SECRET"
  printf 'JWT_SECRET=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > .dev.vars
fi
with_node22 npx wrangler d1 migrations apply DB --local
exec env PATH="$PWD/node_modules/.bin:$PATH" npx wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" "$@"
