#!/usr/bin/python3
"""Reference implementation of B2BERT's ten preprocessing steps (shared/docs/B2BERT.md), in plain `re`.

It is the oracle for Lahja's C# `b2bert` preset: both must agree character for character.
Input: one JSON string per line (JSONL) on stdin or from a file; output: one JSON string per line.
JSON keeps every code point intact (U+2028, CR, U+001C... would break a plain line-based format).

Usage: b2bert_preprocess.py [--stopwords FILE] [--upto N] [INPUT.jsonl] > OUTPUT.jsonl
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_STOPWORDS = os.path.join(HERE, "..", "..", "src", "Lahja", "Resources", "nltk-arabic-stopwords.txt")

# 1. pyarabic's Arabic diacritics (the Mn code points of U+0600-U+06FE).
DIACRITICS = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED]")
# 5. The 43 deleted punctuation characters: ASCII punctuation plus these.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + "\u00A6\u00D7\u00F7\u060C\u061B\u061F\u0640\u2013\u201C\u201D\u2026"
PUNCTUATION_TABLE = str.maketrans("", "", PUNCTUATION)
# 6. The (very broad) emoji pattern.
EMOJI = re.compile("[\u200d\u231a\u23cf\u23e9\U000024C2-\U0010ffff]+", flags=re.UNICODE)
# 7. The authors' exact pattern and replacement: one left-to-right pass, groups that did not take part are empty,
# so Arabic-Latin gets a space after the Latin letter and Latin-Arabic one before it; matches never overlap.
ARABIC_LATIN = re.compile(r"([\u0600-\u06FF])([A-Za-z])|([A-Za-z])([\u0600-\u06FF])")
URL = re.compile(r"https?://\S+")
MENTION = re.compile(r"@\w+")
# 9. ASCII words other than the URL/USER placeholders, any non-word non-space character, and '#'.
NOISE = re.compile(r"\b(?!URL\b|USER\b)[A-Za-z0-9_]+\b|[^\w\s]|#")


def load_stopwords(path):
    with open(path, encoding="utf-8") as f:
        return set(line.rstrip("\n") for line in f if line.rstrip("\n"))


def steps(stopwords):
    return [
        lambda t: DIACRITICS.sub("", t),
        lambda t: t.strip(),
        lambda t: re.sub("ة", "ه", re.sub("ئ", "ء", re.sub("ؤ", "ء", re.sub("ى", "ي", re.sub("[إأٱآا]", "ا", t))))),
        lambda t: re.sub(r"([اويء])\1+", r"\1", t),
        lambda t: t.translate(PUNCTUATION_TABLE).replace("ஜ", " "),
        lambda t: EMOJI.sub("", t),
        lambda t: ARABIC_LATIN.sub(r"\1 \2\3 \4", t),
        lambda t: MENTION.sub("USER", URL.sub("URL", t)),
        lambda t: NOISE.sub(" ", t),
        lambda t: " ".join(w for w in t.split() if w not in stopwords),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("input", nargs="?")
    parser.add_argument("--stopwords", default=DEFAULT_STOPWORDS)
    parser.add_argument("--upto", type=int, default=10, help="apply steps 1..N only")
    args = parser.parse_args()
    pipeline = steps(load_stopwords(args.stopwords))[: args.upto]
    source = open(args.input, encoding="utf-8") if args.input else sys.stdin
    out = sys.stdout
    for line in source:
        text = json.loads(line)
        for step in pipeline:
            text = step(text)
        out.write(json.dumps(text, ensure_ascii=True) + "\n")


if __name__ == "__main__":
    main()
