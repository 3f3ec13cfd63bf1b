#!/usr/bin/env bash
# ONNX Runtime engine vs TorchSharp vs the PyTorch reference, BERT-base-shaped random checkpoint of model_bench.sh,
# the 1,000 NADI 2024 test sentences, 2 threads, each run its own process, one after the other:
#  - PyTorch (tools/reference/bert_reference.py) as Python users run it: batches of 32 in file order, padded to the
#    longest in each batch, on ids tokenized in advance (its timed pass excludes text processing);
#  - TorchSharp fp32 the same Python way (--no-sort --max-batch-tokens none) and with Lahja's batching (length-sorted,
#    at most 512 padded tokens a pass: the library's default);
#  - ONNX fp32, int8 (8-bit weights) and int8 with 7-bit weights, with Lahja's batching.
# Lahja's runs are `DialectIdentifier.Predict` end to end (b2bert preprocessing, tokenization, model). "pass" is the
# timed pass after a warm-up of one batch; "process" is wall-clock from process start to exit (runtime start, model
# load and graph building, warm-up, pass). Peak RSS is each process's own.
# Then preprocessing + tokenization alone (one thread) as a share of the int8 pass, and int8 vs fp32 on the bundled
# model (trained weights) over the NADI 2024 test and dev sentences: max/mean |Δp| and the share of decisions that
# change at the model's rule, with 8-bit and 7-bit weights.
#   bench/onnx_bench.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/common.sh"
bench_setup
bench_sentences
bench_base_checkpoint
bench_reference_ids
dotnet build "$root/bench/Lahja.Bench" -c Release -o "$work/bin" --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
now() { /usr/bin/python3 -c "import time; print(time.monotonic())"; }
# timed NAME COMMAND...: runs COMMAND, adds its whole-process wall-clock seconds to its JSON line, appends it to $work/runs.jsonl.
timed() {
  local name=$1; shift
  local t0 t1 line
  t0=$(now); line=$("$@"); t1=$(now)
  line=$(/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["name"]=sys.argv[2]; r["wall_seconds"]=float(sys.argv[4])-float(sys.argv[3]); print(json.dumps(r))' "$line" "$name" "$t0" "$t1")
  echo "$line" | tee -a "$work/runs.jsonl"
}
: > "$work/runs.jsonl"
echo "weights: $(stat -c %s "$work/base/model.safetensors") bytes (model.safetensors)"
lahja() { dotnet "$work/bin/Lahja.Bench.dll" predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --batch-size 32 "$@"; }
timed "PyTorch, file order" /usr/bin/python3 "$root/tools/reference/bert_reference.py" bench --model "$work/base" --threads 2 --batch-size 32 "$work/ids.jsonl"
timed "TorchSharp fp32, file order" lahja --engine torch --no-sort --max-batch-tokens none
timed "TorchSharp fp32, Lahja batching" lahja --engine torch
timed "ONNX fp32, Lahja batching" lahja --engine onnx
timed "ONNX int8, Lahja batching" lahja --engine onnx --precision int8
timed "ONNX int8 7-bit weights, Lahja batching" lahja --engine onnx --precision int8 --weight-bits 7
pre=$(dotnet "$work/bin/Lahja.Bench.dll" preprocess --input "$work/sentences.jsonl" --repeat 5)
tok=$(dotnet "$work/bin/Lahja.Bench.dll" tokenize --model "$work/base" --input "$work/preprocessed.jsonl" --repeat 5)
echo "$pre"; echo "$tok"
/usr/bin/python3 - "$work/runs.jsonl" "$pre" "$tok" <<'PY'
import json, sys
runs = {r["name"]: r for r in map(json.loads, open(sys.argv[1]))}
pre, tok = json.loads(sys.argv[2]), json.loads(sys.argv[3])
py, ts, int8 = runs["PyTorch, file order"], runs["TorchSharp fp32, file order"], runs["ONNX int8, Lahja batching"]
print()
print("| run | pass seq/s | × PyTorch (pass) | × TorchSharp file order (pass) | process s | × PyTorch (process) | peak RSS |")
print("|---|---|---|---|---|---|---|")
for name, r in runs.items():
    print(f"| {name} | {r['per_second']:.1f} | {r['per_second'] / py['per_second']:.2f}× | {r['per_second'] / ts['per_second']:.2f}× "
          f"| {r['wall_seconds']:.1f} | {py['wall_seconds'] / r['wall_seconds']:.2f}× | {r['peak_rss_mb']:.0f} MiB |")
fp32 = runs["ONNX fp32, Lahja batching"]
print(f"\nint8 vs ONNX fp32 (same batching): {int8['per_second'] / fp32['per_second']:.2f}× ; ONNX fp32 vs TorchSharp (same batching): "
      f"{fp32['per_second'] / runs['TorchSharp fp32, Lahja batching']['per_second']:.2f}×")
# Preprocessing and tokenization of 1,000 texts on one thread, against the int8 pass over the same 1,000 texts.
text_seconds = int8["texts"] / pre["per_second"] + tok["seconds"] / tok["repeat"]
print(f"preprocessing + tokenization: {text_seconds:.3f} s per 1,000 texts on one thread = {100 * text_seconds / int8['seconds']:.1f} % of the int8 pass ({int8['seconds']:.1f} s)")
PY
# int8 vs fp32 with trained weights: the bundled model on the test sentences and on dev1 + dev2, 8- and 7-bit weights.
LAHJA_BENCH_WORK=$work WEIGHT_BITS="8 7" "$root/bench/quantization_check.sh" "$root/models/default"
