#!/usr/bin/env bash
# The Probes II examples of README.md on SmolLM2-135M-Instruct (fetched by
# ../shared/models/get-smollm2.sh), on the CPU, written under docs/steering/
# with the wall time of each step in docs/steering/times.txt:
#
# - concept:   `probe concept` on ConTrans' happiness prompts (200 pairs),
#              mean method, every block 1..29 -> happiness.gguf
# - emotion:   ConTrans' emotion evaluation (200 + 200 prompts) steered at
#              blocks 20-24 at scales 0, 1, 2, 4, 8
# - affine:    the map from block 14 to block 22 of the same model on the
#              2,000 WikiSplit inputs (no regularization, then a ridge of
#              1e4: singular values run from about 4,600 down to 20, so it
#              shrinks the directions below about 100)
# - transplant: block 14's happiness direction carried to block 22 through
#              the map, and the emotion evaluation with it (scales 0, 1, 2)
# - rsa:       SmolLM2 against itself (model-to-model) on 40 FLORES-200
#              English sentences
# - ifd:       IFD of six hand-written instruction/response pairs
#              (crates/probe/tests/fixtures/ifd/pairs.jsonl), matched
#
# About 17 minutes on 2 cores. The model's path on this machine is replaced
# in probe.json by its file name (model_sha256 says which file it was).
#
#   scripts/steer-charts.sh [path/to/kaoshi]
set -euo pipefail
cd "$(dirname "$0")/.."
kaoshi=${1:-target/release/kaoshi}
model=$(bash ../shared/models/get-smollm2.sh)
emotions=../shared/data/contrans/emotions
wiki=../shared/data/contrans/wiki_split_input.txt
out=docs/steering
mkdir -p "$out"
: > "$out/times.txt"
timed() {
    local name=$1
    shift
    local start end
    start=$(date +%s)
    "$kaoshi" "$@"
    end=$(date +%s)
    echo "$name $((end - start)) s" >> "$out/times.txt"
    if [ -f "$out/$name/probe.json" ]; then
        sed -i "s|$model|$(basename "$model")|g; s|\"$PWD/|\"|g" "$out/$name/probe.json"
    fi
}
vectors=$(mktemp -d)
trap 'rm -rf "$vectors"' EXIT
timed concept probe concept --model "$model" --pos "$emotions/refine_happiness.json" \
    --out "$vectors/happiness.gguf" --output "$out/concept"
timed emotion probe emotion --model "$model" --data "$emotions" --concept happiness \
    --control-vector "$vectors/happiness.gguf" --control-layers 20-24 --scales 0,1,2,4,8 --output "$out/emotion"
timed affine probe affine --source "$model" --target "$model" --data "$wiki" --source-layer 14 --target-layer 22 \
    --out "$vectors/map.gguf" --output "$out/affine"
timed affine-ridge probe affine --source "$model" --target "$model" --data "$wiki" --source-layer 14 \
    --target-layer 22 --ridge 10000 --out "$vectors/map-ridge.gguf" --output "$out/affine-ridge"
"$kaoshi" probe transplant --vector "$vectors/happiness.gguf" --affine "$vectors/map.gguf" \
    --out "$vectors/happiness-14to22.gguf"
timed emotion-transplant probe emotion --model "$model" --data "$emotions" --concept happiness \
    --control-vector "$vectors/happiness-14to22.gguf" --scales 0,1,2 --output "$out/emotion-transplant"
head -40 ../shared/data/flores200/devtest/eng_Latn.devtest > "$vectors/stimuli.txt"
timed rsa probe rsa --model "$model" --stimuli "$vectors/stimuli.txt" --target-model "$model" --output "$out/rsa"
timed ifd probe ifd --small "$model" --data crates/probe/tests/fixtures/ifd/pairs.jsonl --output "$out/ifd"
rm -f "$out/rsa/"*.npy  # the RDMs (400 KB) stay out of the repository
# Machine paths out of every written file.
grep -rl "$vectors\|$model" "$out" | xargs -r sed -i "s|$vectors/||g; s|$model|$(basename "$model")|g"
cat "$out/times.txt"
