#!/usr/bin/python3
"""Writes the committed test inputs of the differential tests (deterministic; rerun after editing this file):

  tests/Lahja.Tests/Fixtures/adversarial.jsonl     texts that stress preprocessing and tokenization, one JSON string a line
  tests/Lahja.Tests/Fixtures/vocab-plain.txt       a WordPiece vocabulary without diacritic tokens
  tests/Lahja.Tests/Fixtures/vocab-diacritics.txt  the same plus Arabic diacritics and diacritised words

The vocabularies are built from NLTK's Arabic stopwords (shipped in src/Lahja/Resources) and synthetic material,
never from NADI tweets (their licence forbids republishing anything derived from them).
Expected outputs are then produced by regenerate_fixtures.sh.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "Lahja.Tests", "Fixtures")
STOPWORDS = os.path.join(ROOT, "src", "Lahja", "Resources", "nltk-arabic-stopwords.txt")

HANDWRITTEN = [
    # diacritics and Quranic marks
    "بِسْمِ ٱللَّهِ ٱلرَّحْمَٰنِ ٱلرَّحِيمِ",
    "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ هُدًى لِّلْمُتَّقِينَ",
    "صَلَّى ٱللَّهُ عَلَيْهِ وَسَلَّمَ ؐ ؑ ؒ ؓ ؔ ؕ ؖ ؗ ؘ ؙ ؚ",
    "ۖ ۗ ۘ ۙ ۚ ۛ ۜ ۟ ۠ ۡ ۢ ۣ ۤ ۧ ۨ ۪ ۫ ۬ ۭ ۞ ۩ ۝",
    "مُحَمَّدٌ ࣓ ࣔ ࣰ ࣱ ࣲ ࣳ",
    # decomposed hamza and madda
    "ا\u0654نا ا\u0655سلام ا\u0653خر و\u0654 ي\u0654 ه\u0654",
    "أنا إسلام آخر ؤ ئ ٱ ى ة",
    # tatweel and letter runs
    "مـــرحـبــا يااااا وووووو بيييي ءءء هههههه",
    # ZWJ, ZWNJ, RLM, LRM, ALM, bidi controls
    "می\u200cخواهم \u200dمرحبا\u200d \u200fشكرا\u200e \u061cنعم \u202aابc\u202c \u2066x\u2069",
    # spaces
    "كلمة\u00a0كلمة\u2009كلمة\u202fكلمة\u3000كلمة\u1680كلمة",
    "سطر\u2028سطر\u2029سطر\u0085سطر",
    "فاصل\x1cفاصل\x1dفاصل\x1eفاصل\x1fفاصل",
    "tab\there\r\nwin\rmac\x0bvt\x0cff",
    "zero\u200bwidth\ufeffbom\u180emongolian",
    # emoji
    "👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇸🇦🇪🇬 ❤️ ☺ ⌚ ⏩ ⏏ Ⓜ © ™ ☀ ✔ ♥",
    "حلو😂😂😂مره 🔥🔥 ✨",
    # presentation forms
    "ﻻ ﷺ ﷲ ﺍﻟﺴﻼﻡ ﻋﻠﻴﻜﻢ ﰀ ﹰ ﹱ",
    # Persian and Urdu letters, digits
    "پچژگکی ہ ے ۓ ڈ ٹ ں ھ ۀ",
    "٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ 0123456789 ²³¹ ½",
    # Latin glued to Arabic
    "helloمرحبا مرحباhello 123مرحبا مرحبا123 abcمرحباdef ok_شكرا",
    "café naïve İstanbul ΟΔΟΣ ΣΑΣ straße Ǆ ǅ ǆ ﬁ",
    # URLs, mentions, hashtags, placeholders
    "https://t.co/abc مرحبا http://x.y/z?q=1 http:// https://",
    "@user_1 هلا @مستخدم @ @@x",
    "#هاشتاق_عربي #tag # ##",
    "URL USER URLs USERname @USER URL_ _URL USER1 url user",
    "USERمرحبا URLشكرا",
    # step 7 is one pass of re.sub with empty groups and no overlapping matches (shared/docs/B2BERT.md)
    "USERخساره",
    "aبc",
    "بaب",
    "بa",
    "aب abبcd بaبa يUSERخساره @USERخساره",
    # special tokens
    "[CLS] مرحبا [SEP] [MASK] x[UNK]y [cls] [PAD][PAD] [SEP",
    # CJK and other scripts
    "中文字符 日本語とかな 한국어 ไทย Русский עברית",
    "𠀀𠀁a𠀂b 𪜀 丽",
    # controls, replacement, private use, unassigned
    "a\x00b\x01c\x7fd\ufffde\ue000f\U000F0000g",
    "\u0378\u05ff\u0e5c unassigned",
    # punctuation of all kinds
    "،؛؟ «» ‹› “” ‘’ — – … · ¡¿ ‽ ※ ¦ × ÷ ஜ",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    # empty and whitespace-only
    "",
    " ",
    "   \t  ",
    "\u00a0\u3000",
    # long words around max_input_chars_per_word
    "ب" * 100,
    "ب" * 101,
    "a" * 150,
    "ك" * 99 + "😀",
    "ب" * 100 + "\u064e",
]


def long_lines(rng):
    words = ["مرحبا", "كيف", "الحال", "يا", "شباب", "والله", "hello", "😀", "#وسم", "URL", "USER", "،", "ـ"]
    return [" ".join(rng.choice(words) for _ in range(n)) for n in (400, 1200, 3000)]


def every_code_point_lines():
    """Every BMP code point (except surrogates), 16 to a line, and the first 0x24C2 in Arabic and Latin context."""
    lines = []
    points = [cp for cp in range(1, 0x10000) if not 0xD800 <= cp <= 0xDFFF]
    for i in range(0, len(points), 16):
        lines.append(" ".join(chr(cp) for cp in points[i:i + 16]))
    for cp in range(1, 0x24C2):
        lines.append(f"ب{chr(cp)}ت a{chr(cp)}1")
    return lines


def random_lines(rng, count):
    alphabet = (
        [chr(c) for c in range(0x0621, 0x064B)] * 4
        + [chr(c) for c in range(0x064B, 0x0653)] * 2
        + list("ـ ـ") + [" "] * 20 + list("abcXYZ019_#@:/.،؟!")
        + ["\u0654", "\u0653", "\u200d", "\u200c", "\u00a0", "😀", "🏽", "🇸", "\u0670", "ٱ", "ﻻ", "پ", "٣", "中", "é", "İ", "Σ"]
        + ["URL", "USER", "http://", "https://x", "[SEP]", "[UNK]"]
    )
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(count)]


def write_jsonl(path, texts):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for t in texts:
            f.write(json.dumps(t, ensure_ascii=True) + "\n")


def vocabularies():
    with open(STOPWORDS, encoding="utf-8") as f:
        words = sorted(set(w.strip() for w in f if w.strip()))
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [chr(c) for c in range(0x21, 0x7F)] + [chr(c) for c in range(0xC0, 0x100)]
    chars += [chr(c) for c in range(0x0621, 0x064B)] + [chr(c) for c in range(0x0660, 0x066A)]
    chars += list("پچژگکیہےۓڈٹںھۀ۰۱۲۳۴۵۶۷۸۹中文字符日本語한국어ไทยσςαβ²½ﻻ")
    latin = ["hello", "world", "cafe", "café", "naive", "istanbul", "straße", "οδος", "url", "user", "URL", "USER", "ok", "tag", "##ing", "##s"]
    arabic = ["مرحبا", "كيف", "الحال", "شكرا", "والله", "السلام", "عليكم", "هاشتاق", "عربي", "كلمة", "سطر", "فاصل", "حلو", "مره"]
    pieces = set()
    for w in words + arabic:
        for n in range(2, len(w)):
            pieces.add(w[:n])
            pieces.add("##" + w[n:])
    base = specials + chars + ["##" + c for c in chars] + words + arabic + latin + sorted(pieces)
    diacritics = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670"]
    extra = diacritics + ["##" + d for d in diacritics] + ["بِسْمِ", "ٱللَّهِ", "أَنَا", "مُحَمَّدٌ", "##َ", "##ِ", "##ُ", "##ّ", "##ْ", "ٱ", "##ٰ"]
    seen, plain, full = set(), [], []
    for t in base:
        if t not in seen:
            seen.add(t)
            plain.append(t)
    full = plain + [t for t in extra if t not in seen]
    return plain, full


def main():
    rng = random.Random(20241126)
    texts = HANDWRITTEN + long_lines(rng) + every_code_point_lines() + random_lines(rng, 3000)
    os.makedirs(FIXTURES, exist_ok=True)
    write_jsonl(os.path.join(FIXTURES, "adversarial.jsonl"), texts)
    plain, full = vocabularies()
    for name, vocab in (("vocab-plain.txt", plain), ("vocab-diacritics.txt", full)):
        with open(os.path.join(FIXTURES, name), "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(vocab) + "\n")
    print(f"{len(texts)} adversarial texts; vocabularies of {len(plain)} and {len(full)} tokens")


if __name__ == "__main__":
    main()
