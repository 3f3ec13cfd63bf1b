#!/usr/bin/python3
"""Independent reference of the official NADI 2024 subtask-1 scoring (shared/docs/B2BERT.md), in plain Python:
dialects scored = those with 0/1 in the first gold line; per dialect binary precision, recall, F1 of the positive
class (x100, 0 where undefined) and accuracy; macro = plain means.

  nadi_scorer.py GOLD PRED            prints the official lines
  nadi_scorer.py --json GOLD PRED     prints the unrounded macro scores as JSON
"""
import json
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n").split(",") for line in f if line.strip()]


def score(gold, pred):
    scored = [i for i, v in enumerate(gold[0]) if v in ("0", "1")]
    p_list, r_list, f_list, a_list = [], [], [], []
    for i in scored:
        tp = sum(1 for g, p in zip(gold, pred) if g[i] == "1" and p[i] == "1")
        fp = sum(1 for g, p in zip(gold, pred) if g[i] == "0" and p[i] == "1")
        fn = sum(1 for g, p in zip(gold, pred) if g[i] == "1" and p[i] == "0")
        tn = sum(1 for g, p in zip(gold, pred) if g[i] == "0" and p[i] == "0")
        p_list.append(100.0 * tp / (tp + fp) if tp + fp else 0.0)
        r_list.append(100.0 * tp / (tp + fn) if tp + fn else 0.0)
        f_list.append(100.0 * 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0)
        a_list.append(100.0 * (tp + tn) / len(gold))
    mean = lambda xs: sum(xs) / len(xs)
    return {"macro_precision": mean(p_list), "macro_recall": mean(r_list), "macro_f1": mean(f_list), "macro_accuracy": mean(a_list)}


def main():
    args = [a for a in sys.argv[1:] if a != "--json"]
    s = score(read(args[0]), read(args[1]))
    if "--json" in sys.argv:
        print(json.dumps(s))
    else:
        print("OVERALL SCORES:")
        print("MACRO AVERAGE PRECISION SCORE: %.2f %%" % s["macro_precision"])
        print("MACRO AVERAGE RECALL SCORE: %.2f %%" % s["macro_recall"])
        print("MACRO AVERAGE F1 SCORE: %.2f %%" % s["macro_f1"])
        print("MACRO AVERAGE ACCURACY: %.2f %%" % s["macro_accuracy"])


if __name__ == "__main__":
    main()
