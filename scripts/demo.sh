#!/usr/bin/env bash
# The main job: builds the wasm module and the command line, then serves the
# demo (annotator page with sample data, and the dashboard) with the
# collector on a local port. Ctrl-C stops it. Safe to rerun.
#   PORT=8080 scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
scripts/build-wasm.sh
cargo build --release --quiet --bin prefkit
mkdir -p target/demo
port="${PORT:-8080}"
echo
echo "prefkit demo: open http://127.0.0.1:${port}/  (annotator page, dashboard; admin token: ${PREFKIT_ADMIN_TOKEN:-demo})"
echo
exec target/release/prefkit serve \
  --db target/demo/demo.sqlite \
  --www www \
  --addr "127.0.0.1:${port}" \
  --task www/sample/task.json \
  --admin-token "${PREFKIT_ADMIN_TOKEN:-demo}"
