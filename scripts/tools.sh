# Sourced by the other scripts: pinned tool versions and idempotent installers.
# shellcheck shell=bash

TOOLS="$PWD/.tools"
WORKER_BUILD_VERSION=0.8.7
# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock (pinned with `=` in Cargo.toml).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

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
  # Both tools compile from source: one shared target dir so their common crates build once, and a
  # cheap release profile (they run for seconds per build; compiling them is what costs minutes).
  local cargo_env=(env CARGO_TARGET_DIR="$TOOLS/target" CARGO_PROFILE_RELEASE_OPT_LEVEL=1
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false)
  if [ "$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into .tools/"
    "${cargo_env[@]}" cargo install --quiet --force --root "$TOOLS" wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >&2
  fi
  if [ "$("$TOOLS/bin/worker-build" --version 2>/dev/null)" != "$WORKER_BUILD_VERSION" ]; then
    log "installing worker-build $WORKER_BUILD_VERSION into .tools/"
    "${cargo_env[@]}" cargo install --quiet --force --root "$TOOLS" worker-build --version "$WORKER_BUILD_VERSION" >&2
  fi
  ensure_node_modules
}

# wrangler needs Node >= 22; the npm package `node` puts it first on PATH.
with_node22() { PATH="$PWD/node_modules/.bin:$PATH" "$@"; }
