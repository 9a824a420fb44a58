#!/usr/bin/env bash
# Installs what prefkit's build and tests need on a fresh Debian machine with
# Rust, Node and Python. Every step skips itself when already done.
#   scripts/setup.sh          toolchain for building the wasm module
#   scripts/setup.sh --test   also Chromium, ChromeDriver and the npm packages
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

with_test=0
[[ "${1:-}" == "--test" ]] && with_test=1

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" != "$want" ]]; then
  say "installing wasm-bindgen-cli $want (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$want"
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
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if [[ -f tests/browser/package.json ]]; then
    if [[ ! -d tests/browser/node_modules/playwright-core ]] ||
       [[ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]]; then
      say "installing the browser test packages"
      (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
fi
