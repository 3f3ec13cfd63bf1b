#!/usr/bin/env bash
# Model throughput: `DialectIdentifier.Predict` (Lahja: b2bert preprocessing + tokenization + TorchSharp BERT) vs
# the PyTorch reference forward (tools/reference/bert_reference.py, Debian's python3-torch, on ids tokenized in
# advance — its timing excludes text processing), same BERT-base-shaped random checkpoint (vocab 30,000, 12 layers,
# hidden 768), the 1,000 NADI 2024 test sentences, batch 32, 2 threads; with and without length sorting. Peak RSS
# is each process's own. Each run is a separate process, one after the other.
#   bench/model_bench.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/common.sh"
bench_setup
bench_sentences
bench_base_checkpoint
dotnet build "$root/bench/Lahja.Bench" -c Release -o "$work/bin" --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet "$work/bin/Lahja.Bench.dll" preprocess --input "$work/sentences.jsonl" --repeat 0 >/dev/null
bench_reference_ids
results=()
for sort in no yes; do
  flag=$([ $sort = yes ] && echo "--sort" || echo "")
  results+=("$(/usr/bin/python3 "$root/tools/reference/bert_reference.py" bench --model "$work/base" --threads 2 --batch-size 32 $flag "$work/ids.jsonl")")
  lflag=$([ $sort = yes ] && echo "" || echo "--no-sort")
  results+=("$(dotnet "$work/bin/Lahja.Bench.dll" predict --model "$work/base" --input "$work/sentences.jsonl" --threads 2 --batch-size 32 --max-batch-tokens none $lflag)")
done
printf '%s\n' "${results[@]}"
/usr/bin/python3 - "${results[@]}" <<'PY'
import json, sys
r = [json.loads(a) for a in sys.argv[1:]]
print()
print("| length sorting | PyTorch seq/s | Lahja seq/s | ratio | PyTorch peak RSS | Lahja peak RSS |")
print("|---|---|---|---|---|---|")
for i in (0, 2):
    p, l = r[i], r[i + 1]
    print(f"| {'yes' if l['sorted'] else 'no'} | {p['per_second']:.1f} | {l['per_second']:.1f} | {l['per_second']/p['per_second']:.2f}x | {p['peak_rss_mb']:.0f} MiB | {l['peak_rss_mb']:.0f} MiB |")
print(f"| Lahja sorted vs PyTorch unsorted | | | {r[3]['per_second']/r[0]['per_second']:.2f}x | | |")
PY
