#!/usr/bin/env bash
# Builds the two wasm modules into www/pkg/ and prints their sizes:
#   www/pkg/prefkit.js      the annotator's module (Session,
#                           SimulatedWorker, parseLabel, version): what a
#                           crowd page loads
#   www/pkg/prefkit_lab.js  the requester's module for the dashboard: all of
#                           the above plus the `lab` feature (report,
#                           LiveAgreement, LLM judge, active learning,
#                           Collection, costTable,
#                           reportJson, checkAnnotation, simulateCrowd, ...)
# With --check it fails when the annotator's module is over its size
# targets (250 KB, 100 KB gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
opt=target/tools/node_modules/.bin/wasm-opt
[[ -x $opt ]] || echo "note: $opt not found (run scripts/setup.sh): the modules are not size-optimized" >&2

# build NAME CARGO_PROFILE WASM_OPT_FLAGS CARGO_FEATURE_FLAGS...
build() {
  local name=$1 profile=$2 level=$3
  shift 3
  cargo build --lib --target wasm32-unknown-unknown --profile "$profile" --quiet "$@"
  local input=target/wasm32-unknown-unknown/$profile/prefkit.wasm
  local wasm=www/pkg/${name}_bg.wasm stamp=www/pkg/.${name}.stamp
  # wasm-bindgen and wasm-opt take a minute or two on a busy 2-core machine:
  # skip them when cargo left the module alone (a fresh build does not touch
  # it) and the last run used this script and the same wasm-opt.
  local how
  how="$(wasm-bindgen --version); $([[ -x $opt ]] && "$opt" --version || echo no wasm-opt) $level"
  if [[ ! -f $wasm || ! -f $stamp || $input -nt $wasm || scripts/build-wasm.sh -nt $wasm || "$(cat "$stamp")" != "$how" ]]; then
    rm -f "$stamp"
    wasm-bindgen --target web --out-dir www/pkg --out-name "$name" "$input"
    # wasm-opt (-Oz cuts about a third) drops the name section. The module
    # defines its own memory (fresh, so zero-filled) and Rust leaves its first
    # kilobyte unused: the two flags let wasm-opt rely on both.
    if [[ -x $opt ]]; then
      # $level is one or more flags: split on purpose.
      # shellcheck disable=SC2086
      "$opt" $level --strip-producers --strip-target-features \
        --low-memory-unused --zero-filled-memory "$wasm" -o "$wasm.opt"
      mv "$wasm.opt" "$wasm"
    fi
    printf '%s\n' "$how" >"$stamp"
  fi
  local raw gz
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  printf '%s: %d bytes (%d KB), %d gzipped (%d KB)\n' \
    "$wasm" "$raw" $((raw / 1024)) "$gz" $((gz / 1024))
  size_raw=$raw size_gz=$gz
}

# The requester's module runs the big reports: built for speed. The
# annotator's module is what every crowd page loads: built for size.
build prefkit_lab wasm -O3
build prefkit wasm-annotator "-Oz --converge" --no-default-features

# The annotator's module is the one every annotation page loads: it must
# stay under 250 KB, and under 100 KB gzipped (KB = 1,024 bytes).
# `--check` (the test command) fails the build when it grows past them.
max_raw=$((250 * 1024)) max_gz=$((100 * 1024))
echo "annotator's module: $((size_raw * 100 / max_raw))% of 250 KB, $((size_gz * 100 / max_gz))% of 100 KB gzipped"
if [[ ${1:-} == --check ]] && ((size_raw > max_raw || size_gz > max_gz)); then
  echo "error: www/pkg/prefkit_bg.wasm is over its size targets" >&2
  exit 1
fi
