#!/usr/bin/env bash
# The quantization study of README.md on SmolLM2-135M-Instruct (Q4_1,
# fetched by ../shared/models/get-smollm2.sh): `kaoshi quantize` writes it
# as F32 (the reference: exactly the weights every variant is quantized
# from) and as Q8_0, Q6_K, Q4_K, Q3_K and Q2_K; `kaoshi quant-study` runs
# WikiText-2 and CMRC 2018 (4096 tokens each, the first 1024 positions
# compared), the first 100 items of CMMLU and of XCOPA, and `kaoshi bench`
# at 256 + 512 tokens. report.md, study.json and the charts are written
# under docs/quant-study/smollm2/; the models, journals and the reference's
# log-probabilities stay in a scratch folder (default /tmp/kaoshi-quant-study).
# On 2 cores: each quantization 1-3 s; the study 19 min with other jobs
# running beside it.
#
#   scripts/quant-study-smollm2.sh [path/to/kaoshi] [scratch folder]
set -euo pipefail
cd "$(dirname "$0")/.."
kaoshi=$(realpath "${1:-target/release/kaoshi}")
scratch=${2:-/tmp/kaoshi-quant-study}
data=$(realpath ../shared/data)
docs=$(realpath -m docs/quant-study/smollm2)
model=$(bash ../shared/models/get-smollm2.sh)
mkdir -p "$scratch" "$docs"
cd "$scratch"
name=SmolLM2-135M-Instruct
for t in F32 Q8_0 Q6_K Q4_K Q3_K Q2_K; do
    [ -f "$name.$t.gguf" ] || "$kaoshi" quantize --model "$model" --type "$t" --out "$name.$t.gguf"
done
variants=$(printf "$name.%s.gguf," Q8_0 Q6_K Q4_K Q3_K Q2_K)
"$kaoshi" quant-study --reference "$name.F32.gguf" --variants "${variants%,}" \
    --suites cmmlu,xcopa --data "$data" --limit 100 \
    --ppl-data wikitext2,cmrc2018 --ppl-tokens 4096 --kld-tokens 1024 \
    --output study > /dev/null
cp study/report.md study/study.json study/*.svg "$docs/"
echo "wrote $docs"
