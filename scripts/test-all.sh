#!/usr/bin/env bash
# Sets up and runs every check kaoshi has: formatting, lints, and all tests.
# Needs only the Rust toolchain (cargo, rustfmt, clippy) and the crates.io
# registry; tests read fixtures from ../shared beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

for tool in cargo rustfmt cargo-clippy; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found; install the Rust toolchain with rustfmt and clippy" >&2; exit 1; }
done
if [ ! -d ../shared/fixtures ]; then
    echo "error: ../shared/fixtures is missing: the tests read real tokenizers and models from there" >&2
    exit 1
fi

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --release --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --release --workspace --no-fail-fast
