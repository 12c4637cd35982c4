#!/usr/bin/env bash
# GPU speed table: synthetic Qwen2.5-0.5B- and 7B-shaped models (random
# weights, `kaoshi synth`) in Q4_K and Q8_0, each benchmarked with a
# 512-token prefill (pp512) and 128 decoded tokens (tg128), best of two
# repetitions, as JSON per model plus one markdown table on stdout. The
# last column decodes again with the RMS norms folded into the products
# (KAOSHI_GPU_FOLD_NORM=1; off by default until measured here).
#
#   scripts/bench-gpu.sh [path/to/kaoshi] [output dir]
#
# Needs a GPU adapter; the models are written to $TMPDIR (4.4 and 8.1 GB
# for the 7B shapes) and reused when present.
set -euo pipefail
kaoshi=${1:-target/release/kaoshi}
out=${2:-bench-gpu-out}
tmp=${TMPDIR:-/tmp}
mkdir -p "$out"
echo "| model | type | size | pp512 tok/s | tg128 tok/s | dispatches/token | decode GB/s | copy-kernel GB/s | % of copy | pp512, 4 x 4 tiles | tg128 folded norm (dispatches) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for preset in qwen2.5-0.5b qwen2.5-7b; do
  for dtype in Q4_K Q8_0; do
    model="$tmp/kaoshi-bench-$preset-$dtype.gguf"
    [ -f "$model" ] || "$kaoshi" synth --preset "$preset" --dtype "$dtype" --out "$model" > /dev/null 2>&1
    json="$out/$preset-$dtype.json"
    "$kaoshi" bench --model "$model" --backend gpu --prompt-tokens 512 --gen-tokens 128 --reps 2 --json > "$json"
    folded="$out/$preset-$dtype-folded.json"
    KAOSHI_GPU_FOLD_NORM=1 "$kaoshi" bench --model "$model" --backend gpu --prompt-tokens 16 --gen-tokens 128 --reps 2 --json > "$folded"
    narrow="$out/$preset-$dtype-narrow.json"
    KAOSHI_GPU_WIDE_TILES=0 "$kaoshi" bench --model "$model" --backend gpu --prompt-tokens 512 --gen-tokens 1 --reps 2 --json > "$narrow"
    python3 - "$json" "$preset" "$dtype" "$model" "$folded" "$narrow" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))
f = json.load(open(sys.argv[5]))
n = json.load(open(sys.argv[6]))
size = os.path.getsize(sys.argv[4]) / 2**20
print(f"| {sys.argv[2]} | {sys.argv[3]} | {size:,.0f} MiB | {r['prefill_tok_s']:,.0f} | {r['decode_tok_s']:,.1f} | "
      f"{r['dispatches_per_token']:.0f} | {r['achieved_gb_s']:,.0f} | {r['copy_bandwidth_gb_s']:,.0f} | "
      f"{100 * r['bandwidth_fraction']:.0f}% | {n['prefill_tok_s']:,.0f} | "
      f"{f['decode_tok_s']:,.1f} ({f['dispatches_per_token']:.0f}) |")
PY
  done
done
