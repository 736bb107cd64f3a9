# Sourced by the other scripts: pinned tool versions and idempotent installers.
# shellcheck shell=bash

TOOLS="$PWD/.tools"
# The wasm-bindgen crate in Cargo.lock (pinned with `=` in Cargo.toml): the bindings generator
# must be the same version. `worker` is recorded as the SDK in the wasm's producers section.
lock_version() { awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock; }
WASM_BINDGEN_VERSION=$(lock_version wasm-bindgen)
WORKER_VERSION=$(lock_version worker)

log() { printf '[keybox] %s\n' "$*" >&2; }

ensure_node_modules() {
  # Installed when missing or when package-lock.json changed since the last install (by content:
  # a fresh checkout's newer mtime alone must not wipe a node_modules shared by worktrees).
  local lock
  lock=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -x node_modules/.bin/wrangler ] || [ ! -x node_modules/.bin/wasm-opt ] ||
    [ "$(cat node_modules/.keybox-lock 2>/dev/null)" != "$lock" ]; then
    log "installing npm packages (wrangler, node 22, binaryen, esbuild)"
    npm ci --no-audit --no-fund >&2
    echo "$lock" >node_modules/.keybox-lock
  fi
}

ensure_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown >&2
  fi
  # std's sources, for the worker's -Z build-std (scripts/build.sh).
  if ! rustup component list --installed | grep -q '^rust-src'; then
    log "adding the rust-src component"
    rustup component add rust-src >&2
  fi
  ensure_wasm_bindgen
  ensure_node_modules
}

# build-support/wasm-bindgen (wasm-bindgen-cli's library, pinned by its Cargo.lock) into
# .tools/bin/keybox-wasm-bindgen; rebuilt when its sources change. A cheap release profile: it
# runs for a second per build, compiling it is what costs minutes on a first run.
ensure_wasm_bindgen() {
  local dir=build-support/wasm-bindgen sum pinned
  pinned=$(cd "$dir" && lock_version wasm-bindgen-cli-support)
  if [ "$pinned" != "$WASM_BINDGEN_VERSION" ]; then
    log "$dir has wasm-bindgen $pinned, Cargo.lock $WASM_BINDGEN_VERSION: set $WASM_BINDGEN_VERSION in $dir/Cargo.toml (package and dependency), then run cargo update there"
    return 1
  fi
  sum=$(cat "$dir/Cargo.toml" "$dir/Cargo.lock" "$dir/src/main.rs" | sha256sum | cut -d' ' -f1)
  if [ ! -x "$TOOLS/bin/keybox-wasm-bindgen" ] || [ "$(cat "$TOOLS/keybox-wasm-bindgen.sum" 2>/dev/null)" != "$sum" ]; then
    log "installing keybox-wasm-bindgen (wasm-bindgen-cli-support $WASM_BINDGEN_VERSION) into .tools/"
    env CARGO_TARGET_DIR="$TOOLS/target" CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
      CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
      cargo install --quiet --locked --force --root "$TOOLS" --path "$dir" >&2
    echo "$sum" >"$TOOLS/keybox-wasm-bindgen.sum"
  fi
}

# wrangler needs Node >= 22; the npm package `node` puts it first on PATH.
with_node22() { PATH="$PWD/node_modules/.bin:$PATH" "$@"; }
