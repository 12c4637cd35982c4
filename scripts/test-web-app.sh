#!/usr/bin/env bash
# The example web app (examples/web-app/) end to end: `npm ci` there (its
# committed package-lock.json: playwright-core only, no browser download),
# then node's test runner on its Playwright test, which serves the repository
# on 127.0.0.1, opens the page in headless Chromium (/usr/bin/chromium; set
# CHROMIUM to use another), loads stories260K into a Web Worker and checks the
# streamed greedy text against llama2.c's, then the OPFS model cache (listed
# with its sha256, reloaded from the cache, removed; a corrupted entry).
# Assumes wasm-pkg/dist was built
# (scripts/test-wasm-pkg.sh, which scripts/test-all.sh runs just before).
# The screenshot goes to examples/web-app/test-output/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in node npm; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found; install node >= 20 and npm" >&2; exit 1; }
done
if [ ! -f wasm-pkg/dist/index.js ]; then
    echo "error: wasm-pkg/dist is missing: run scripts/test-wasm-pkg.sh (or scripts/build-wasm-pkg.sh) first" >&2
    exit 1
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "error: ${CHROMIUM:-/usr/bin/chromium} not found (apt-get install chromium, as root; scripts/test-browser.sh does it)" >&2
    exit 1
fi

start=$SECONDS
echo "== npm ci (examples/web-app)"
(cd examples/web-app && npm ci --no-audit --no-fund)
echo "== node --test (examples/web-app/test)"
(cd examples/web-app && node --test test/)
echo "== web app done ($((SECONDS - start)) s)"
