#!/usr/bin/env bash
# Runs every test: formatting, lints, native tests, the wasm module's tests
# in headless Chromium, the pages' browser tests against a real local
# collector, then the npm package and the static site. Installs what is
# missing first. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh --test
say() { printf '\033[1m== %s\033[0m\n' "$*"; }

# node_tests WHAT DIR LOG: runs the node tests of DIR one file at a time,
# keeping their output in LOG, and fails if any of them skipped.
node_tests() {
  local what=$1 dir=$2 log=$3
  (cd "$dir" && node --test --test-concurrency=1) | tee "$log"
  if grep -q '# SKIP' "$log"; then
    echo "$what tests were skipped (see the # SKIP lines above)" >&2
    exit 1
  fi
}

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (warnings denied)"
cargo clippy --all-targets --quiet -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --quiet -- -D warnings
# The annotator's module is built without the `lab` feature.
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --quiet -- -D warnings

say "cargo doc (warnings denied: no broken or private links)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

say "native tests"
cargo test --quiet

say "wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --test wasm --test wasm_session

say "building the wasm module and the command line"
scripts/build-wasm.sh --check
cargo build --quiet --bin prefkit

if [[ -f tests/browser/package.json ]]; then
  say "browser tests of the pages"
  # Everything the page tests need was built above, so a skipped test here
  # means something is missing: fail rather than pass quietly.
  node_tests browser tests/browser target/browser-tests.log
fi

say "package and static site tests"
# npm pack of this checkout installed into a temporary folder and used
# unbundled, under Vite, webpack and Node; dist/ from scripts/build-site.sh
# under a plain static server. No test here may skip.
node_tests package tests/package target/package-tests.log
