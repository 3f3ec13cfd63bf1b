# Shared setup of the model, ONNX, server and commit-comparison benchmarks (sourced after $root is set).
# bench_setup: $data (LAHJA_SHARED_DATA, else ../shared/data; its nadi/ folder must exist) and $work (LAHJA_BENCH_WORK,
# kept between runs so the generated checkpoint is made once, else a new temporary folder).
bench_setup() {
  data=${LAHJA_SHARED_DATA:-$root/../shared/data}
  [ -d "$data/nadi" ] || { echo "bench: $data/nadi not found" >&2; exit 1; }
  work=${LAHJA_BENCH_WORK:-$(mktemp -d)}
  mkdir -p "$work"
}

# bench_sentences: the 1,000 NADI 2024 test sentences as JSON strings, one per line, in $work/sentences.jsonl.
bench_sentences() {
  /usr/bin/python3 - "$data/nadi/mladi-test/NADI2024_subtask1_test_sentences.tsv" > "$work/sentences.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    next(f)
    for line in f:
        print(json.dumps(line.rstrip("\n")))
PY
}

# bench_dev_sentences: the NADI 2024 dev1 + dev2 sentences (170) as JSON strings, one per line, in $work/dev.jsonl.
bench_dev_sentences() {
  /usr/bin/python3 - "$data/nadi/mladi-dev/NADI2024_subtask1_dev1.tsv" "$data/nadi/mladi-dev/NADI2024_subtask1_dev2.tsv" > "$work/dev.jsonl" <<'PY'
import json, sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            print(json.dumps(line.rstrip("\n").split("\t")[0]))
PY
}

# bench_base_checkpoint: a BERT-base-shaped random checkpoint (vocab 30,000 from the NADI tweets, 12 × 768) in
# $work/base, made once by the reference tools.
bench_base_checkpoint() {
  if [ ! -f "$work/base/model.safetensors" ]; then
    /usr/bin/python3 "$root/bench/make_bench_vocab.py" "$data" "$work/vocab"
    /usr/bin/python3 "$root/tools/reference/bert_reference.py" make-checkpoint --out "$work/base" --vocab "$work/vocab/vocab.txt" \
      --layers 12 --hidden 768 --heads 12 --intermediate 3072 --max-positions 512 --seed 3 --init-std 0.02
  fi
}

# bench_reference_ids: the ids Lahja's pipeline feeds its model (b2bert-preprocessed by the Python reference,
# tokenized by transformers.js with $work/base's vocabulary), one JSON list per line in $work/ids.jsonl, for the
# PyTorch reference, whose timing thus excludes text processing.
bench_reference_ids() {
  [ -d "$root/tools/reference/node_modules/@huggingface/transformers" ] || (cd "$root/tools/reference" && npm ci --no-audit --no-fund >&2)
  /usr/bin/python3 - "$root" "$work/sentences.jsonl" > "$work/preprocessed.jsonl" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1] + "/tools/reference")
import b2bert_preprocess as ref
steps = ref.steps(ref.load_stopwords(ref.DEFAULT_STOPWORDS))
for line in open(sys.argv[2], encoding="utf-8"):
    t = json.loads(line)
    for s in steps:
        t = s(t)
    print(json.dumps(t))
PY
  (cd "$root/tools/reference" && node hf_tokenize.mjs --vocab "$work/base/vocab.txt" --lower true --max-length 128 "$work/preprocessed.jsonl") > "$work/ids.jsonl"
}
