#!/usr/bin/env bash
# The checks of `--device cuda`, for a Linux x64 machine with an NVIDIA GPU, CUDA 12 and cuDNN 9 (none here: this
# script is prepared, not yet run). It needs NuGet access once, to restore the GPU build of ONNX Runtime
# (Microsoft.ML.OnnxRuntime.Gpu.Linux, -p:LahjaOnnxGpu=true).
#  1. tests/Lahja.Onnx.Tests with LAHJA_REQUIRE_CUDA=1: the CUDA parity test must run (not report the missing
#     provider) and keep max |Δp| ≤ 1e-5 against PyTorch's probabilities (TF32 off);
#  2. the bundled model through the CLI on cuda vs cpu: the same decisions, max |Δp| printed;
#  3. speed on the BERT-base-shaped checkpoint of bench/model_bench.sh (1,000 NADI 2024 test sentences, batches of
#     32, Lahja's batching with the default budget of 512 tokens a pass and with none): cuda vs cpu, fp32, texts per second.
#   bench/gpu_check.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${LAHJA_SHARED_DATA:-$root/../shared/data}
work=${LAHJA_BENCH_WORK:-$(mktemp -d)}
mkdir -p "$work"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "gpu_check: nvidia-smi not found" >&2
gpu=(-p:LahjaOnnxGpu=true)
echo "== 1. parity on cuda (Lahja.Onnx.Tests, LAHJA_REQUIRE_CUDA=1)"
LAHJA_REQUIRE_CUDA=1 dotnet test "$root/tests/Lahja.Onnx.Tests" "${gpu[@]}" --filter "FullyQualifiedName~Cuda" --logger "console;verbosity=detailed" 2>&1 | grep -E "cuda:|Passed|Failed|error" || true
echo "== 2. bundled model, cuda vs cpu"
dotnet build "$root/src/Lahja.Cli" -c Release "${gpu[@]}" -o "$work/cli" --nologo >"$work/cli-build.log" 2>&1 || { cat "$work/cli-build.log"; exit 1; }
texts=("شلونك حبيبي" "إزيك يا باشا عامل ايه" "شو عم تعمل هلق" "واش راك خويا" "شكون نتا")
dotnet "$work/cli/Lahja.Cli.dll" predict --device cpu -f jsonl "${texts[@]}" > "$work/cpu.jsonl"
dotnet "$work/cli/Lahja.Cli.dll" predict --device cuda -f jsonl "${texts[@]}" > "$work/cuda.jsonl"
/usr/bin/python3 - "$work/cpu.jsonl" "$work/cuda.jsonl" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
worst = max(abs(x["probabilities"][k] - y["probabilities"][k]) for x, y in zip(a, b) for k in x["probabilities"])
same = all(x["dialects"] == y["dialects"] for x, y in zip(a, b))
print(f"bundled model: max |Δp| cuda vs cpu = {worst:.2e}; same decisions: {same}")
PY
echo "== 3. speed, BERT-base shape"
if [ -d "$data/nadi" ]; then
  . "$root/bench/common.sh"
  bench_sentences
  bench_base_checkpoint
  dotnet build "$root/bench/Lahja.Bench" -c Release "${gpu[@]}" -o "$work/bin" --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  for device in cpu cuda; do
    for budget in 512 none; do
    dotnet "$work/bin/Lahja.Bench.dll" predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --batch-size 32 --engine onnx --device $device --max-batch-tokens $budget
    done
  done
else
  echo "gpu_check: $data/nadi not found: speed not measured" >&2
fi
