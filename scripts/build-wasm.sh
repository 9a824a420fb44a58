#!/usr/bin/env bash
# Builds the two wasm modules into www/pkg/ and prints their sizes:
#   www/pkg/prefkit.js      the annotator's module (Session, report,
#                           LiveAgreement, parseLabel, checkAnnotation, version)
#   www/pkg/prefkit_lab.js  the requester's module for the dashboard: all of
#                           the above plus the `lab` feature (LLM judge,
#                           active learning, Collection, costTable)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
opt=target/tools/node_modules/.bin/wasm-opt
[[ -x $opt ]] || echo "note: $opt not found (run scripts/setup.sh): the modules are not size-optimized" >&2

# build NAME CARGO_PROFILE CARGO_FEATURE_FLAGS...
build() {
  local name=$1 profile=$2
  shift 2
  cargo build --lib --target wasm32-unknown-unknown --profile "$profile" --quiet "$@"
  wasm-bindgen --target web --out-dir www/pkg --out-name "$name" \
    "target/wasm32-unknown-unknown/$profile/prefkit.wasm"
  local wasm=www/pkg/${name}_bg.wasm
  # wasm-opt -Oz cuts about a third and drops the name section. The module
  # defines its own memory (fresh, so zero-filled) and Rust leaves its first
  # kilobyte unused: the two flags let wasm-opt rely on both.
  if [[ -x $opt ]]; then
    "$opt" -Oz --converge --strip-producers --strip-target-features \
      --low-memory-unused --zero-filled-memory "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
  fi
  local raw gz
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  printf '%s: %d KB, %d KB gzipped (targets: 250 KB, 100 KB)\n' \
    "$wasm" $((raw / 1024)) $((gz / 1024))
}

build prefkit_lab wasm
build prefkit wasm-annotator --no-default-features
