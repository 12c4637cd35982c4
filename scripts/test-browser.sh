#!/usr/bin/env bash
# Runs the browser tests of crates/wasm (package kaoshi-wasm): wasm-bindgen-test
# in headless Chromium, in the page and in a dedicated worker, with WebGPU on
# SwiftShader (Chromium's software Vulkan). Installs what is missing:
#   - chromium and chromium-driver (apt, as root),
#   - the wasm32-unknown-unknown Rust target (rustup),
#   - wasm-bindgen-cli at exactly the version of the wasm-bindgen crate,
#     built once into $KAOSHI_TOOLS (default ~/.cache/kaoshi/tools) and reused
#     (both in scripts/lib/wasm-tools.sh, shared with build-wasm-pkg.sh).
# The wasm32 runner and rustflags are in .cargo/config.toml; the Chromium
# options in crates/wasm/webdriver.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

if [ ! -d ../shared/fixtures ]; then
    echo "error: ../shared/fixtures is missing: the browser tests embed the stories260K model from there" >&2
    exit 1
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "== installing chromium and chromium-driver"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
    else
        echo "error: chromium and chromedriver are needed (apt-get install chromium chromium-driver, as root)" >&2
        exit 1
    fi
fi

# shellcheck source=scripts/lib/wasm-tools.sh
source scripts/lib/wasm-tools.sh

export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/crates/wasm/webdriver.json"
# Seconds per test binary (SwiftShader WebGPU is slow; the default is 20).
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
echo "== browser tests (headless Chromium, page and dedicated worker)"
cargo test --release --target wasm32-unknown-unknown -p kaoshi-wasm --no-fail-fast "$@"
