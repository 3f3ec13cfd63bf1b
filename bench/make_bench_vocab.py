#!/usr/bin/python3
"""Builds a 30,000-token WordPiece vocabulary from the NADI training tweets, for benchmarking only (written to a
temporary folder, never committed: NADI-derived files may not be published). Frequent words become whole tokens,
frequent word-final pieces become ## tokens, and every character seen gets a plain and a ## token, so real text
tokenizes like it would with CAMeLBERT's 30k vocabulary (mostly whole words, some pieces).
   /usr/bin/python3 bench/make_bench_vocab.py SHARED_DATA_DIR OUT_DIR"""
import collections
import glob
import os
import sys

data, out = sys.argv[1], sys.argv[2]
words = collections.Counter()
for path in glob.glob(os.path.join(data, "nadi", "train", "*.tsv")):
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > 1:
                words.update(fields[1].lower().split())
chars = sorted({c for w in words for c in w})
suffixes = collections.Counter()
for w, n in words.items():
    for k in range(2, min(len(w), 6)):
        suffixes["##" + w[-k:]] += n
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars]
seen = set(vocab)
for token, _ in suffixes.most_common(4000):
    if token not in seen:
        vocab.append(token)
        seen.add(token)
for w, _ in words.most_common():
    if len(vocab) >= 30000:
        break
    if w not in seen:
        vocab.append(w)
        seen.add(w)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(vocab) + "\n")
print(f"{len(vocab)} tokens", file=sys.stderr)
