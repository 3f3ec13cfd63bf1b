#!/usr/bin/python3
"""Python side of bench/run.sh: lines per second of the reference b2bert preprocessing, warm-up first.
   /usr/bin/python3 bench/preprocess_bench.py INPUT.jsonl [REPEAT]"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "reference"))
import b2bert_preprocess as ref  # noqa: E402

texts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
steps = ref.steps(ref.load_stopwords(ref.DEFAULT_STOPWORDS))


def run_pass():
    for t in texts:
        for s in steps:
            t = s(t)


run_pass()
start = time.perf_counter()
for _ in range(repeat):
    run_pass()
seconds = time.perf_counter() - start
print(json.dumps({"impl": "python", "mode": "preprocess", "texts": len(texts), "repeat": repeat,
                  "lines": len(texts) * repeat, "seconds": seconds, "per_second": len(texts) * repeat / seconds}))
