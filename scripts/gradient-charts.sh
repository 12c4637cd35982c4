#!/usr/bin/env bash
# The gradient probes of README.md (Probes III) on SmolLM2-135M-Instruct
# (fetched by ../shared/models/get-smollm2.sh), written under
# docs/gradients/ with the wall time of each step in docs/gradients/times.txt:
#
# - ircan-memotrap: `probe ircan` on MemoTrap, the first 100 examples of the
#                   whole set attributed (20 steps, `ig`), the grid
#                   h in {1,2,4,8,16} x beta in {2,5,10,20} on the first 100
#                   dev examples, the methods on the first 100 test examples
# - ircan-cose:     the same on COSE_KRE with 40 examples each
# - importance:     `probe importance` on 20 FLORES-200 sentences of five
#                   languages
#
# Attribution runs on the CPU gradient backend. On 2 cores shared with
# other jobs: MemoTrap 83 min (19 of them attribution), COSE 28 min,
# importance about 10 min.
# The journals and per-example files stay out of the repository; machine
# paths are replaced by file names.
#
#   scripts/gradient-charts.sh [path/to/kaoshi]
set -euo pipefail
cd "$(dirname "$0")/.."
kaoshi=${1:-target/release/kaoshi}
model=$(bash ../shared/models/get-smollm2.sh)
out=docs/gradients
mkdir -p "$out"
: > "$out/times.txt"
timed() {
    local name=$1
    shift
    local start end
    start=$(date +%s)
    "$kaoshi" "$@" --output "$out/$name"
    end=$(date +%s)
    echo "$name $((end - start)) s" >> "$out/times.txt"
}
# Journals and per-example files out; machine paths out of what stays.
clean() {
    rm -f "$1"/*/ircan_attribution.jsonl "$1"/*/attribution.jsonl "$1"/*/importance_journal.jsonl \
        "$1"/*/importance_neurons_*.json "$1"/*/ircan_options.json
    grep -rl "$model\|$PWD/" "$1" | xargs -r sed -i "s|$model|$(basename "$model")|g; s|$PWD/||g"
    for f in "$1"/ircan-*/ircan.json; do
        python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d.pop("attributions", None)
d["attributions_note"] = "per-example attributions left out of the repository (run scripts/gradient-charts.sh to get them)"
json.dump(d, open(sys.argv[1], "w"), indent=2)' "$f"
    done
}
grid=(--h 1,2,4,8,16 --beta 2,5,10,20)
timed ircan-memotrap probe ircan --model "$model" --data ../shared/data/ircan --task memotrap --limit 100 "${grid[@]}"
timed ircan-cose probe ircan --model "$model" --data ../shared/data/ircan --task cose --limit 40 "${grid[@]}"
timed importance probe importance --model "$model" --data ../shared/data/flores200 \
    --langs eng_Latn,zho_Hans,fra_Latn,arb_Arab,hin_Deva --limit 20
clean "$out"
