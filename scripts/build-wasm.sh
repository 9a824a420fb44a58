#!/usr/bin/env bash
# Builds the wasm module into www/pkg/ and prints its size.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --lib --target wasm32-unknown-unknown --profile wasm --quiet
wasm-bindgen --target web --out-dir www/pkg \
  target/wasm32-unknown-unknown/wasm/prefkit.wasm
wasm=www/pkg/prefkit_bg.wasm
# wasm-opt -Oz (installed by scripts/setup.sh) cuts about a third and drops
# the name section; without it the module works but is bigger.
opt=target/tools/node_modules/.bin/wasm-opt
if [[ -x $opt ]]; then
  "$opt" -Oz "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
else
  echo "note: $opt not found (run scripts/setup.sh): the module is not size-optimized" >&2
fi
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'www/pkg/prefkit_bg.wasm: %d KB, %d KB gzipped (targets: 250 KB, 100 KB)\n' \
  $((raw / 1024)) $((gz / 1024))
