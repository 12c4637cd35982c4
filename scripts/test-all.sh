#!/usr/bin/env bash
# Sets up and runs every check kaoshi has: formatting, lints, and all tests.
# Needs the Rust toolchain (cargo, rustfmt, clippy) and the crates.io
# registry; tests read fixtures from ../shared beside the checkout. GPU tests
# run on lavapipe (Mesa's software Vulkan), installed here when missing and
# running as root; elsewhere they skip with a message, unless
# KAOSHI_REQUIRE_GPU=1 (as .ci/run sets), which makes a missing adapter fail.
# Last, scripts/test-browser.sh runs the wasm crate's tests in headless
# Chromium (installing chromium, the wasm32 target and wasm-bindgen-cli), and
# scripts/test-wasm-pkg.sh builds the npm package in wasm-pkg/ and runs its
# node tests (needs node >= 20 and npm), scripts/test-web-app.sh runs the
# example page in examples/web-app/ with Playwright on that build, and
# scripts/test-www.sh builds the static site (www/, Vite) and runs its
# Playwright tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# Vulkan's loader warns on every adapter request without one.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
    XDG_RUNTIME_DIR="$(mktemp -d)"
    export XDG_RUNTIME_DIR
fi

for tool in cargo rustfmt cargo-clippy rustup; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found; install the Rust toolchain with rustfmt and clippy" >&2; exit 1; }
done
if [ ! -d ../shared/fixtures ]; then
    echo "error: ../shared/fixtures is missing: the tests read real tokenizers and models from there" >&2
    exit 1
fi

if ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "== installing lavapipe (mesa-vulkan-drivers) for the GPU tests"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1
    else
        echo "note: lavapipe is not installed and this is not root: GPU tests will skip" >&2
    fi
fi

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --release --workspace --all-targets -- -D warnings
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "== adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi
echo "== cargo clippy (wasm32, kaoshi-wasm)"
cargo clippy --release --target wasm32-unknown-unknown -p kaoshi-wasm --all-targets -- -D warnings
echo "== cargo test"
cargo test --release --workspace --no-fail-fast
echo "== browser tests"
bash scripts/test-browser.sh
echo "== npm package (wasm-pkg)"
bash scripts/test-wasm-pkg.sh
echo "== example web app (Playwright)"
bash scripts/test-web-app.sh
echo "== web site (www/, Playwright)"
bash scripts/test-www.sh
