#!/usr/bin/env bash
# int8 against fp32 on trained weights, ONNX Runtime engine, for each MODEL given: over the 1,000 NADI 2024 test
# sentences and the 170 dev1 + dev2 sentences, max and mean |Δp| and the share of decisions that change at the
# model's own rule (Lahja.Bench quantization); then the official scorer's macro F1 on NADI 2024 dev2 at that rule,
# fp32 and int8 (`lahja evaluate`). WEIGHT_BITS: the int8 weight ranges to try (default "8"; "8 7" adds 7-bit).
#   bench/quantization_check.sh MODEL...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/common.sh"
[ $# -gt 0 ] || { echo "usage: bench/quantization_check.sh MODEL..." >&2; exit 2; }
bench_setup
bench_sentences
bench_dev_sentences
[ -f "$work/bin/Lahja.Bench.dll" ] || dotnet build "$root/bench/Lahja.Bench" -c Release -o "$work/bin" --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dev2="$data/nadi/mladi-dev/NADI2024_subtask1_dev2.tsv"
for model in "$@"; do
  echo "== $model"
  for bits in ${WEIGHT_BITS:-8}; do
    dotnet "$work/bin/Lahja.Bench.dll" quantization --model "$model" --input "$work/sentences.jsonl" --weight-bits "$bits"
    dotnet "$work/bin/Lahja.Bench.dll" quantization --model "$model" --input "$work/dev.jsonl" --weight-bits "$bits"
  done
  for precision in fp32 int8; do
    f1=$("$root/lahja" evaluate -m "$model" --data "$dev2" --engine onnx --precision "$precision" --threads 2 2>/dev/null |
      sed -n 's/^MACRO AVERAGE F1 SCORE: \([0-9.]*\) %$/\1/p')
    [ -n "$f1" ] || { echo "quantization_check: lahja evaluate gave no macro F1 for $model ($precision)" >&2; exit 1; }
    echo "{\"model\": \"$model\", \"precision\": \"$precision\", \"dev2_macro_f1\": $f1}"
  done
done
