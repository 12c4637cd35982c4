# Sourced by scripts/test-browser.sh and scripts/build-wasm-pkg.sh (from the
# repository root): makes sure the wasm32-unknown-unknown target and
# wasm-bindgen-cli (wasm-bindgen and wasm-bindgen-test-runner, at exactly the
# version of the wasm-bindgen crate) are installed, and puts the latter on
# PATH. wasm-bindgen-cli is built once into $KAOSHI_TOOLS (default
# ~/.cache/kaoshi/tools) and reused.

WASM_BINDGEN_VERSION=0.2.130
TOOLS="${KAOSHI_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/kaoshi/tools}"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "== adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

if ! "$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$" \
    || [ ! -x "$TOOLS/bin/wasm-bindgen-test-runner" ]; then
    echo "== building wasm-bindgen-cli $WASM_BINDGEN_VERSION into $TOOLS (once; a few minutes)"
    # Not --locked: its lock file pins a webpki-roots version the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS" --force
fi
export PATH="$TOOLS/bin:$PATH"
