#!/usr/bin/env bash
# Builds the npm package in wasm-pkg/ into wasm-pkg/dist/ (not committed):
#   1. kaoshi-wasm for wasm32-unknown-unknown, release (the flags of
#      .cargo/config.toml, +simd128: the same build scripts/test-browser.sh
#      makes, so after the browser tests only the final link may remain);
#   2. wasm-bindgen --target web into wasm-pkg/dist/wasm/;
#   3. wasm-opt -Oz from the npm package binaryen (a devDependency; Debian's
#      binaryen 108 breaks wasm-bindgen's glue), when installed;
#   4. tsc (a devDependency) from wasm-pkg/src/ to wasm-pkg/dist/.
# Run `npm ci` in wasm-pkg/ first (scripts/test-wasm-pkg.sh does). Prints the
# raw and gzipped sizes of the .wasm. KAOSHI_WASM_OPT=0 skips wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

# shellcheck source=scripts/lib/wasm-tools.sh
source scripts/lib/wasm-tools.sh

pkg=wasm-pkg
out="$pkg/dist/wasm"
target_dir="${CARGO_TARGET_DIR:-target}"

echo "== cargo build --release --target wasm32-unknown-unknown -p kaoshi-wasm"
cargo build --release --target wasm32-unknown-unknown -p kaoshi-wasm --lib
raw="$target_dir/wasm32-unknown-unknown/release/kaoshi_wasm.wasm"

echo "== wasm-bindgen --target web -> $out"
rm -rf "$pkg/dist"
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" "$raw"
wasm="$out/kaoshi_wasm_bg.wasm"

opt="$pkg/node_modules/.bin/wasm-opt"
if [ "${KAOSHI_WASM_OPT:-1}" != 0 ] && [ -x "$opt" ]; then
    echo "== wasm-opt -Oz (npm binaryen $("$opt" --version | awk '{print $3}'))"
    # The features the Rust build uses (SIMD; bulk memory, sign extension,
    # non-trapping float-to-int and multi-value are on by default in rustc).
    "$opt" -Oz --enable-simd --enable-bulk-memory --enable-sign-ext \
        --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
        "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
else
    echo "note: wasm-opt skipped ($opt missing or KAOSHI_WASM_OPT=0): the .wasm is not size-optimised" >&2
fi

echo "== tsc -> $pkg/dist"
tsc="$pkg/node_modules/.bin/tsc"
[ -x "$tsc" ] || { echo "error: $tsc is missing: run 'npm ci' in $pkg first" >&2; exit 1; }
"$tsc" -p "$pkg/tsconfig.json"

size() { stat -c %s "$1"; }
echo "== $wasm: $(size "$raw") bytes from rustc, $(size "$wasm") bytes after wasm-bindgen/wasm-opt, $(gzip -9 -c "$wasm" | wc -c) gzipped (-9)"
