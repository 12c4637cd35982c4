#!/usr/bin/env bash
# Builds and tests the npm package in wasm-pkg/: `npm ci` (its committed
# package-lock.json: typescript and binaryen), scripts/build-wasm-pkg.sh, then
# node's test runner on wasm-pkg/test/ against wasm-pkg/dist/ (CPU backend:
# node has no WebGPU). Needs node >= 20 and npm, and ../shared/fixtures.
# After scripts/test-browser.sh the wasm32 release build is already there
# (same profile and flags), so the cost is wasm-bindgen, wasm-opt (about a
# minute on 2 cores), tsc and the tests (a few seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in node npm; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found; install node >= 20 and npm" >&2; exit 1; }
done
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
    || { echo "error: node >= 20 is needed (found $(node --version))" >&2; exit 1; }
if [ ! -d ../shared/fixtures ]; then
    echo "error: ../shared/fixtures is missing: the package tests load stories260K from there" >&2
    exit 1
fi

step() { echo "== $1 ($((SECONDS - start)) s so far)"; }
start=$SECONDS
step "npm ci (wasm-pkg)"
(cd wasm-pkg && npm ci --no-audit --no-fund)
step "build (scripts/build-wasm-pkg.sh)"
bash scripts/build-wasm-pkg.sh
step "node --test (wasm-pkg/test)"
(cd wasm-pkg && node --test test/)
step "wasm-pkg done"
