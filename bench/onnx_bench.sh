#!/usr/bin/env bash
# ONNX Runtime engine vs TorchSharp: `DialectIdentifier.Predict` end to end (b2bert preprocessing, tokenization,
# length-sorted batches of 32, the model), 2 threads, the 1,000 NADI 2024 test sentences, the BERT-base-shaped random
# checkpoint of model_bench.sh; each engine in its own process, one after the other; peak RSS is each process's own.
# Then int8 vs fp32 on the bundled model (trained weights) over the NADI 2024 test and dev sentences: max/mean |Δp| and
# the share of decisions that change at the model's thresholds, with 8-bit and 7-bit weights.
#   bench/onnx_bench.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${LAHJA_SHARED_DATA:-$root/../shared/data}
[ -d "$data/nadi" ] || { echo "bench: $data/nadi not found" >&2; exit 1; }
work=${LAHJA_BENCH_WORK:-$(mktemp -d)}
mkdir -p "$work"
. "$root/bench/common.sh"
bench_sentences
bench_base_checkpoint
dotnet build "$root/bench/Lahja.Bench" -c Release -o "$work/bin" --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
bench() { dotnet "$work/bin/Lahja.Bench.dll" "$@"; }
echo "weights: $(stat -c %s "$work/base/model.safetensors") bytes (model.safetensors)"
bench predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --engine torch
bench predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --engine onnx
bench predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --engine onnx --precision int8
bench predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --engine onnx --precision int8 --weight-bits 7
# int8 vs fp32 with trained weights: the bundled model on the test sentences and on dev1 + dev2.
/usr/bin/python3 - "$data/nadi/mladi-dev/NADI2024_subtask1_dev1.tsv" "$data/nadi/mladi-dev/NADI2024_subtask1_dev2.tsv" > "$work/dev.jsonl" <<'PY'
import json, sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            print(json.dumps(line.rstrip("\n").split("\t")[0]))
PY
for bits in 8 7; do
  bench quantization --model "$root/models/default" --input "$work/sentences.jsonl" --weight-bits $bits
  bench quantization --model "$root/models/default" --input "$work/dev.jsonl" --weight-bits $bits
done
