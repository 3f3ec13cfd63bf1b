#!/usr/bin/env bash
# Text-pipeline benchmarks, each as a ratio against its reference run in the same script on the same input:
#   tokenizer      Lahja's BertTokenizer vs transformers.js (tokens/s, one thread)
#   preprocessing  Lahja's b2bert preset vs the Python reference (lines/s, one thread)
# Input: the 1,000 NADI 2024 test sentences (../shared/data). Results go to docs/benchmarks.md by hand, with this command.
#   bench/run.sh [REPEAT_LAHJA] [REPEAT_REFERENCE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${LAHJA_SHARED_DATA:-$root/../shared/data}
[ -d "$data/nadi" ] || { echo "bench: $data/nadi not found (the NADI data is needed)" >&2; exit 1; }
[ -d "$root/tools/reference/node_modules/@huggingface/transformers" ] || (cd "$root/tools/reference" && npm ci --no-audit --no-fund >&2)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$data/nadi/mladi-test/NADI2024_subtask1_test_sentences.tsv" > "$work/sentences.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    next(f)
    for line in f:
        print(json.dumps(line.rstrip("\n")))
PY
/usr/bin/python3 "$root/bench/make_bench_vocab.py" "$data" "$work/model"
dotnet build "$root/bench/Lahja.Bench" -c Release -o "$work/bin" --nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
lahja_tok=$(dotnet "$work/bin/Lahja.Bench.dll" tokenize --model "$work/model" --input "$work/sentences.jsonl" --repeat "${1:-50}")
ref_tok=$(node "$root/bench/tokenizer_bench.mjs" "$work/model/vocab.txt" "$work/sentences.jsonl" "${2:-5}")
lahja_pre=$(dotnet "$work/bin/Lahja.Bench.dll" preprocess --input "$work/sentences.jsonl" --repeat "${1:-50}")
ref_pre=$(/usr/bin/python3 "$root/bench/preprocess_bench.py" "$work/sentences.jsonl" "${2:-5}")
echo "$lahja_tok"; echo "$ref_tok"; echo "$lahja_pre"; echo "$ref_pre"
/usr/bin/python3 - "$lahja_tok" "$ref_tok" "$lahja_pre" "$ref_pre" <<'PY'
import json, sys
lt, rt, lp, rp = (json.loads(a) for a in sys.argv[1:])
print()
print("| benchmark | Lahja | reference | ratio |")
print("|---|---|---|---|")
print(f"| tokenizer, tokens/s (vs transformers.js) | {lt['per_second']:,.0f} | {rt['per_second']:,.0f} | {lt['per_second']/rt['per_second']:.1f}x |")
print(f"| b2bert preprocessing, lines/s (vs Python) | {lp['per_second']:,.0f} | {rp['per_second']:,.0f} | {lp['per_second']/rp['per_second']:.1f}x |")
PY
