#!/usr/bin/env bash
# Builds the site (scripts/build-www.sh: npm ci + vite build) and runs its
# browser tests (www/test/, node --test, playwright-core with the system's
# Chromium at /usr/bin/chromium or $CHROMIUM; no browser download). Needs
# wasm-pkg/dist and ../shared (fixtures and data) beside the repository.
# Screenshots go to www/test-output/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  echo "test-www: no Chromium at $CHROMIUM (apt-get install -y chromium, or set CHROMIUM)" >&2
  exit 1
fi
bash "$ROOT/scripts/build-www.sh"
cd "$ROOT/www"
CHROMIUM="$CHROMIUM" node --test --test-concurrency=1 test/*.test.mjs
