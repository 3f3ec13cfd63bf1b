#!/usr/bin/env bash
# Lahja.Bench at an older commit against the working tree, run alternately on the same inputs (for a refactor that
# must not change speed): tokenization and preprocessing on one thread, and predict with ONNX fp32, int8 and
# TorchSharp on the BERT-base-shaped checkpoint of model_bench.sh, 1,000 NADI 2024 test sentences, 2 threads.
#   bench/compare_commits.sh OLD_COMMIT [ROUNDS (default 3)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old=${1:?usage: bench/compare_commits.sh OLD_COMMIT [ROUNDS]}
rounds=${2:-3}
. "$root/bench/common.sh"
bench_setup
bench_sentences
bench_base_checkpoint
bench_reference_ids
rm -rf "$work/old-src"
git -C "$root" worktree add -q --detach "$work/old-src" "$old"
trap 'git -C "$root" worktree remove --force "$work/old-src"' EXIT
dotnet build "$work/old-src/bench/Lahja.Bench" -c Release -o "$work/bin-old" --nologo >"$work/build-old.log" 2>&1 || { cat "$work/build-old.log"; exit 1; }
dotnet build "$root/bench/Lahja.Bench" -c Release -o "$work/bin-new" --nologo >"$work/build-new.log" 2>&1 || { cat "$work/build-new.log"; exit 1; }
field() { /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print(' '.join(str(round(r[k], 1)) for k in sys.argv[1:]))" "$@"; }
echo "old = $old, new = working tree; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for v in old new; do
    echo "round $round $v tokenize tokens/s $(dotnet "$work/bin-$v/Lahja.Bench.dll" tokenize --model "$work/base" --input "$work/preprocessed.jsonl" --repeat 10 | field per_second)" \
         "preprocess lines/s $(dotnet "$work/bin-$v/Lahja.Bench.dll" preprocess --input "$work/sentences.jsonl" --repeat 5 | field per_second)"
  done
done
for round in $(seq "$rounds"); do
  for v in old new; do
    for engine in "onnx --precision fp32" "onnx --precision int8" "torch"; do
      # shellcheck disable=SC2086
      echo "round $round $v predict $engine: seq/s, peak RSS MiB $(dotnet "$work/bin-$v/Lahja.Bench.dll" predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --batch-size 32 --engine $engine | field per_second peak_rss_mb)"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
