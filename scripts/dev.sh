#!/usr/bin/env bash
# Starts the worker locally: `wrangler dev` on http://127.0.0.1:8787 with a migrated local D1
# and dev secrets in .dev.vars (a random JWT_SECRET and an Ed25519 LICENSE_SIGNING_KEY, created
# when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
export WRANGLER_SEND_METRICS=false
ensure_node_modules
if [ ! -f .dev.vars ]; then
  log "creating .dev.vars with a random JWT_SECRET"
  printf 'JWT_SECRET=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > .dev.vars
fi
if ! grep -q '^LICENSE_SIGNING_KEY=' .dev.vars; then
  # An Ed25519 private JWK on one line, single-quoted for dotenv: signs the license tokens.
  log "adding a new Ed25519 LICENSE_SIGNING_KEY to .dev.vars"
  with_node22 node -e '
    const { generateKeyPairSync } = require("node:crypto");
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    console.log(`LICENSE_SIGNING_KEY=\x27${JSON.stringify(jwk)}\x27`);
  ' >> .dev.vars
fi
with_node22 npx wrangler d1 migrations apply DB --local
exec env PATH="$PWD/node_modules/.bin:$PATH" npx wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" "$@"
