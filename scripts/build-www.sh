#!/usr/bin/env bash
# Builds the static site: npm ci in www/, type-check, vite build -> www/dist/.
# Needs wasm-pkg/dist (scripts/build-wasm-pkg.sh); does not build it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -f "$ROOT/wasm-pkg/dist/index.js" || ! -f "$ROOT/wasm-pkg/dist/wasm/kaoshi_wasm_bg.wasm" ]]; then
  echo "build-www: wasm-pkg/dist is missing (no index.js or wasm/kaoshi_wasm_bg.wasm); build it first: bash scripts/build-wasm-pkg.sh" >&2
  exit 1
fi
cd "$ROOT/www"
npm ci --no-audit --no-fund
npx tsc --noEmit -p .
npx vite build
echo "build-www: built $ROOT/www/dist"
