#!/usr/bin/env bash
# Training-step throughput: Lahja (TorchSharp) vs the PyTorch reference (tools/reference/bert_reference.py
# train-bench, Debian's python3-torch) on the same shapes and work — forward, BCE with logits, backward, AdamW step,
# no dropout, random ids (batch × length, no padding) — for the bundled model's shape (2 layers × 128, vocab 8,000)
# and BERT-base's (12 × 768, vocab 30,000). 2 threads; each run a separate process, one after the other.
#   bench/train_bench.sh [STEPS_SMALL] [STEPS_BASE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${LAHJA_BENCH_WORK:-$(mktemp -d)}
mkdir -p "$work"
small_steps=${1:-200}
base_steps=${2:-5}
vocab() { /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, os
n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
open(os.path.join(out, "vocab.txt"), "w").write("\n".join(special + [f"w{i}" for i in range(n - len(special))]) + "\n")
PY
}
[ -f "$work/small/model.safetensors" ] || { vocab 8000 "$work/vocab-small"; /usr/bin/python3 "$root/tools/reference/bert_reference.py" make-checkpoint --out "$work/small" --vocab "$work/vocab-small/vocab.txt" --layers 2 --hidden 128 --heads 4 --intermediate 512 --max-positions 128 --seed 3 --init-std 0.02; }
[ -f "$work/base/model.safetensors" ] || { vocab 30000 "$work/vocab-base"; /usr/bin/python3 "$root/tools/reference/bert_reference.py" make-checkpoint --out "$work/base" --vocab "$work/vocab-base/vocab.txt" --layers 12 --hidden 768 --heads 12 --intermediate 3072 --max-positions 512 --seed 3 --init-std 0.02; }
dotnet build "$root/bench/Lahja.Bench" -c Release -o "$work/bin" --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
for shape in small base; do
  steps=$small_steps; [ "$shape" = base ] && steps=$base_steps
  echo "== $shape (batch 32 × 64 tokens, $steps steps)"
  dotnet "$work/bin/Lahja.Bench.dll" train-step --model "$work/$shape" --threads 2 --batch-size 32 --length 64 --steps "$steps"
  /usr/bin/python3 "$root/tools/reference/bert_reference.py" train-bench --model "$work/$shape" --threads 2 --batch-size 32 --length 64 --steps "$steps"
done
