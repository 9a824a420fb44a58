#!/usr/bin/env bash
# Installs what prefkit's build and tests need on a fresh Debian machine with
# Rust, Node and Python. Every step skips itself when already done.
#   scripts/setup.sh          toolchain for building the wasm module
#   scripts/setup.sh --test   also Chromium, ChromeDriver, PostgreSQL and the npm packages
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

with_test=0
[[ "${1:-}" == "--test" ]] && with_test=1

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

# long WHAT COMMAND...: runs a step that takes minutes, saying every 30 s
# how long it has been running, and at the end how long it took.
long() {
  local what=$1 start rc=0 ticker
  shift
  start=$(date +%s)
  (while sleep 30 && kill -0 $$ 2>/dev/null; do
    t=$(($(date +%s) - start))
    printf '   ... still %s: %d min %02d s\n' "$what" $((t / 60)) $((t % 60))
  done) &
  ticker=$!
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  local t=$(($(date +%s) - start))
  printf '   %s: done in %d min %02d s\n' "$what" $((t / 60)) $((t % 60))
  return "$rc"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" != "$want" ]]; then
  # No registry serves this CLI prebuilt for this machine, so it compiles:
  # the longest step of a first run (see the README for the measured time).
  say "installing wasm-bindgen-cli $want (compiles for about 6 minutes on 2 cores)"
  long "compiling wasm-bindgen-cli" cargo install wasm-bindgen-cli --version "$want"
fi

# wasm-opt (binaryen) shrinks the module; Debian's binaryen is too old for
# current Rust output, so take the npm package, pinned, into target/tools/.
binaryen=132.0.0
if [[ "$(target/tools/node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "${binaryen%%.*}" ]]; then
  say "installing binaryen $binaryen (wasm-opt) into target/tools"
  npm install --prefix target/tools --no-audit --no-fund --loglevel=error "binaryen@$binaryen"
fi

if [[ $with_test == 1 ]]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    long "installing chromium" sh -c 'apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null'
  fi
  # The collector's PostgreSQL tests start a throwaway cluster with these
  # binaries (initdb, pg_ctl) as the unprivileged `postgres` user.
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    say "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    long "installing postgresql" sh -c 'apt-get update -qq && apt-get install -y -qq postgresql >/dev/null'
  fi
  # The npm packages of the page tests and of the package and site tests.
  for dir in tests/browser tests/package; do
    if [[ ! -f $dir/node_modules/.package-lock.json ]] ||
       [[ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
      say "installing the npm packages of $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
fi
