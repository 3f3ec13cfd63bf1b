#!/usr/bin/python3
"""Writes a synthetic NADI 2024 scoring vector (seeded) and its expected scores from nadi_scorer.py into
tests/Lahja.Tests/Fixtures/scorer/, so CI always checks the scorer even without ../shared/data.
It covers: unannotated (blank) dialects, a dialect never predicted (undefined precision -> 0), a dialect with no
gold positive (undefined recall -> 0), and ordinary ones."""
import json
import os
import random
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "tests", "Lahja.Tests", "Fixtures", "scorer")
os.makedirs(out, exist_ok=True)
rng = random.Random(2024)
scored = [0, 2, 4, 10, 13, 14, 15, 17]  # the dev2 dialects
never_predicted, never_gold = 13, 15
gold, pred = [], []
for _ in range(57):
    g = ["" for _ in range(18)]
    p = ["0" for _ in range(18)]
    for d in scored:
        g[d] = "0" if d == never_gold else rng.choice("01")
    for d in range(18):
        p[d] = "0" if d == never_predicted else rng.choice("0011" if g[d] == "1" else "0001")
    gold.append(",".join(g))
    pred.append(",".join(p))
gold_path, pred_path = os.path.join(out, "synthetic_gold.txt"), os.path.join(out, "synthetic_pred.txt")
open(gold_path, "w").write("\n".join(gold) + "\n")
open(pred_path, "w").write("\n".join(pred) + "\n")
expected = json.loads(subprocess.check_output([sys.executable, os.path.join(here, "nadi_scorer.py"), "--json", gold_path, pred_path]))
lines = subprocess.check_output([sys.executable, os.path.join(here, "nadi_scorer.py"), gold_path, pred_path]).decode()
json.dump({"expected": expected, "official_lines": lines.splitlines()}, open(os.path.join(out, "synthetic_expected.json"), "w"), indent=2)
print(expected)
