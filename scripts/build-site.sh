#!/usr/bin/env bash
# Writes dist/: the pages as a static site that any static host can serve
# (no collector): the index, the annotator page with the sample task (its
# answers stay in the browser and download as JSONL), the dashboard with the
# sample crowd, the modules, the CSS and the vendored libraries.
#   scripts/build-site.sh && python3 -m http.server -d dist 8000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-wasm.sh
rm -rf dist
mkdir -p dist/pkg
cp -R www/index.html www/annotate.html www/dashboard.html www/css www/js www/vendor www/sample dist/
cp www/pkg/*.js www/pkg/*.d.ts www/pkg/*.wasm dist/pkg/
echo "dist/: $(find dist -type f | wc -l) files, $(du -sh dist | cut -f1); serve it with any static file server"
