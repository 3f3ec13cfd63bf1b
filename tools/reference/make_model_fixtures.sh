#!/usr/bin/env bash
# Generates the model parity fixtures of tests/Lahja.Torch.Tests/Fixtures: tiny random BertForSequenceClassification
# checkpoints in every stored form Lahja reads, the token ids of the parity texts (transformers.js, B2BERT's
# tokenizer defaults: no tokenizer_config.json), and PyTorch's probabilities for each checkpoint.
# Needs Debian's python3-torch and Node (npm ci in this folder). Called by regenerate_fixtures.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../tests/Lahja.Torch.Tests/Fixtures"
vocab="$here/../../tests/Lahja.Tests/Fixtures/vocab-plain.txt"
cd "$here"
rm -rf "$out/checkpoints"
mkdir -p "$out/checkpoints"
make() { /usr/bin/python3 bert_reference.py make-checkpoint --vocab "$vocab" --out "$out/checkpoints/$1" "${@:2}"; }
make f32
make f16 --dtype F16
make bf16 --dtype BF16
make pytorch-bin --format bin
make generic-labels --labels generic
make reordered-labels --labels reordered
make legacy-keys --key-style legacy
# Parity texts: the hand-written adversarial lines and a seeded sample of the rest (real tweets may not be committed).
/usr/bin/python3 - "$here/../../tests/Lahja.Tests/Fixtures/adversarial.jsonl" > "$out/parity-texts.jsonl" <<'PY'
import json, random, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
rng = random.Random(5)
picked = lines[:60] + rng.sample(lines[60:], 240)
sys.stdout.write("".join(picked))
PY
node hf_tokenize.mjs --vocab "$vocab" --lower true --max-length 128 "$out/parity-texts.jsonl" > "$out/parity-ids.jsonl"
for checkpoint in "$out"/checkpoints/*/; do
  name=$(basename "$checkpoint")
  /usr/bin/python3 bert_reference.py predict --model "$checkpoint" "$out/parity-ids.jsonl" > "$out/parity-probabilities.$name.jsonl"
done
du -sh "$out"
