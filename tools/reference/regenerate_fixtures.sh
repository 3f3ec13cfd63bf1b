#!/usr/bin/env bash
# Regenerates the expected outputs of the differential tests from the reference implementations.
# Needs /usr/bin/python3 (Debian's, no packages) and Node with `npm ci` run in this folder.
# Fixtures are generated, never hand-edited: rerun this after changing an input or a reference.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../tests/Lahja.Tests/Fixtures"
cd "$here"
[ -d node_modules/@huggingface/transformers ] || npm ci --no-audit --no-fund
/usr/bin/python3 gen_python_unicode_tables.py
node gen_hf_unicode_tables.mjs
/usr/bin/python3 make_test_inputs.py
/usr/bin/python3 b2bert_preprocess.py "$fixtures/adversarial.jsonl" > "$fixtures/adversarial.b2bert.expected.jsonl.tmp"
mv "$fixtures/adversarial.b2bert.expected.jsonl.tmp" "$fixtures/adversarial.b2bert.expected.jsonl"
for vocab in plain diacritics; do
  for lower in true false; do
    out="$fixtures/adversarial.ids.$vocab.lower-$lower.expected.jsonl"
    node hf_tokenize.mjs --vocab "$fixtures/vocab-$vocab.txt" --lower "$lower" --max-length 512 "$fixtures/adversarial.jsonl" > "$out.tmp"
    mv "$out.tmp" "$out"
  done
done
ls -la "$fixtures"
./make_model_fixtures.sh
/usr/bin/python3 make_scorer_fixtures.py
