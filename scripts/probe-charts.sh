#!/usr/bin/env bash
# The probes' example charts of README.md: `kaoshi probe fertility | xling |
# lape` on SmolLM2-135M-Instruct (fetched by ../shared/models/get-smollm2.sh)
# over 200 FLORES-200 devtest sentences in each of the 12 languages of
# ../shared/data/flores200, on the CPU. Writes each probe's folder (probe.json,
# report.md, charts) under docs/probes/ and the wall time of each into
# docs/probes/times.txt. About 40 minutes on 2 cores (LAPE's counting most).
# The model's path on this machine is replaced in probe.json by its file
# name (model_sha256 says which file it was).
#
#   scripts/probe-charts.sh [path/to/kaoshi]
set -euo pipefail
cd "$(dirname "$0")/.."
kaoshi=${1:-target/release/kaoshi}
model=$(bash ../shared/models/get-smollm2.sh)
langs=arb_Arab,deu_Latn,eng_Latn,fra_Latn,hin_Deva,jpn_Jpan,kor_Hang,rus_Cyrl,spa_Latn,swh_Latn,zho_Hans,zho_Hant
data=../shared/data/flores200
out=docs/probes
mkdir -p "$out"
: > "$out/times.txt"
timed() {
    local name=$1
    shift
    local start end
    start=$(date +%s)
    "$kaoshi" probe "$name" --data "$data" --langs "$langs" --limit 200 --output "$out/$name" "$@"
    end=$(date +%s)
    echo "$name $((end - start)) s" >> "$out/times.txt"
    sed -i "s|\"$model\"|\"$(basename "$model")\"|" "$out/$name/probe.json"
}
timed fertility --model "$model"
timed xling --model "$model"
timed lape --model "$model" --eval-limit 20
cat "$out/times.txt"
