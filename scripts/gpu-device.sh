#!/usr/bin/env bash
# GPU tests and speed figures on a lent GPU machine (the device tool; how it
# is reached is in the project's notes on the machine), in two halves:
#
#   scripts/gpu-device.sh prepare   # here: release binaries, stripped, into .carry/
#   scripts/gpu-device.sh run       # there, from the repo root, .gl and .carry carried
#
# `prepare` builds the CLI, the matrix and top-k benchmarks and the GPU test binaries
# that need no fixture files (the machine has only the repository), strips
# them and prints the size to carry (the device tool takes 64 MiB in all).
# `.gl/` must hold the Vulkan loader packages (libvulkan1 and the GL
# libraries it pulls in, as .deb files downloaded here with apt-get download).
#
# `run` unpacks .gl, points Vulkan at the machine's NVIDIA driver, then
# writes to $OUT (default gpu-device-out/): the GPU tests' output with
# KAOSHI_REQUIRE_GPU=1 (tests-*.txt), matrix-vector and tiled kernel speed
# per weight type on 7B-sized shapes, the tiled one with 8 x 8 and 4 x 4
# outputs per invocation (matmul.txt), top-k selection on the device
# against reading a 152k-entry row back (top_k.txt), the README table of
# scripts/bench-gpu.sh (bench.md, models synthesized there), and the GPU time
# per kernel of a 7B Q4_K decode (profile-7b-q4_k.txt). Each step's exit
# status is in status.txt; a failing step does not stop the rest. BENCH=0
# leaves out the benchmarks (a dry run of the tests on lavapipe here).
set -uo pipefail
cd "$(dirname "$0")/.."

# Test binaries of kaoshi-gpu that use only synthetic data and need a GPU
# (with .gl they fit in the 64 MiB the device tool carries).
TESTS="agreement parity parity_model parity_logits"

prepare() {
    set -e
    cargo build --release -p kaoshi-cli -p kaoshi-gpu --example matmul_bench --example top_k_bench
    rm -rf .carry && mkdir -p .carry/tests
    cp target/release/kaoshi target/release/examples/matmul_bench target/release/examples/top_k_bench .carry/
    cargo test --release -p kaoshi-gpu --no-run --message-format=json 2>/dev/null |
        python3 -c '
import json, sys
wanted = set(sys.argv[1].split())
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] in wanted:
        print(m["target"]["name"], m["executable"])
' "$TESTS" | while read -r name exe; do cp "$exe" ".carry/tests/$name"; done
    strip .carry/kaoshi .carry/matmul_bench .carry/top_k_bench .carry/tests/*
    ls .gl/*.deb > /dev/null 2>&1 || echo "warning: .gl/ has no .deb files: the run needs the Vulkan loader" >&2
    du -ch .carry .gl 2>/dev/null | tail -1
}

step() {
    local name=$1
    shift
    echo "== $name"
    "$@"
    echo "$name $?" >> "$out/status.txt"
}

run() {
    out=${OUT:-gpu-device-out}
    mkdir -p "$out"
    if ls .gl/*.deb > /dev/null 2>&1; then
        for f in .gl/*.deb; do dpkg -x "$f" /; done
        ldconfig
    fi
    local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    [ -f "$icd" ] && export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$icd}
    export KAOSHI_REQUIRE_GPU=1
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpu.txt" 2>&1
    for t in $TESTS; do
        step "test $t" sh -c ".carry/tests/$t --nocapture > '$out/tests-$t.txt' 2>&1"
    done
    if [ "${BENCH:-1}" = 0 ]; then
        cat "$out/status.txt"
        return
    fi
    # Decode shapes of Qwen2.5-7B (q/o, gate/up, down) and one prefill,
    # that with 8 x 8 and 4 x 4 outputs per invocation.
    step matmul sh -c "for s in 1,3584,3584 1,18944,3584 1,3584,18944 512,3584,3584; do
        .carry/matmul_bench --shape \$s --reps 5; done > '$out/matmul.txt' 2>&1;
        .carry/matmul_bench --shape 512,3584,3584 --reps 5 --narrow >> '$out/matmul.txt' 2>&1"
    step top_k sh -c ".carry/top_k_bench > '$out/top_k.txt' 2>&1"
    step bench sh -c "scripts/bench-gpu.sh .carry/kaoshi '$out' > '$out/bench.md' 2> '$out/bench.err'"
    step profile sh -c "KAOSHI_GPU_PROFILE=1 .carry/kaoshi bench --backend gpu \
        --model \"\${TMPDIR:-/tmp}/kaoshi-bench-qwen2.5-7b-Q4_K.gguf\" --prompt-tokens 16 --gen-tokens 32 \
        > '$out/profile-7b-q4_k.txt' 2>&1"
    cat "$out/status.txt"
}

case "${1:-}" in
prepare) prepare ;;
run) run ;;
*)
    echo "usage: scripts/gpu-device.sh prepare|run" >&2
    exit 2
    ;;
esac
