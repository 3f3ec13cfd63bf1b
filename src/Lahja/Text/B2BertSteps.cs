using System.Collections.Frozen;
using System.Text;

namespace Lahja.Text;

/// <summary>
/// The ten preprocessing steps of B2BERT's training code, each reproducing the Python original (plain <c>re</c> and
/// <c>str</c> methods, see tools/reference/b2bert_preprocess.py) character for character. Python semantics are kept
/// on purpose: <c>\w</c>, <c>\s</c>, <c>\b</c> and <c>str.split()</c> are CPython's (<see cref="PythonUnicode"/>),
/// and the "emoji" range is as broad as the original's.
/// </summary>
public static class B2BertSteps
{
    /// <summary>Step 1: deletes pyarabic's Arabic diacritics (the Mn code points of U+0600–U+06FE).</summary>
    public static IPreprocessingStep RemoveDiacritics { get; } = new Step("remove-diacritics", RemoveDiacriticsImpl);

    /// <summary>Step 2: trims surrounding whitespace (Python's <c>str.strip()</c>).</summary>
    public static IPreprocessingStep Trim { get; } = new Step("trim", TrimImpl);

    /// <summary>Step 3: إ أ ٱ آ ا → ا; ى → ي; ؤ ئ → ء; ة → ه.</summary>
    public static IPreprocessingStep NormalizeLetters { get; } = new Step("normalize-letters", NormalizeLettersImpl);

    /// <summary>Step 4: collapses runs of ا, و, ي or ء into one letter.</summary>
    public static IPreprocessingStep CollapseRepeatedLetters { get; } = new Step("collapse-repeated-letters", CollapseImpl);

    /// <summary>Step 5: deletes the 43 punctuation characters, then turns ஜ into a space.</summary>
    public static IPreprocessingStep RemovePunctuation { get; } = new Step("remove-punctuation", RemovePunctuationImpl);

    /// <summary>Step 6: deletes "emoji": U+200D, U+231A, U+23CF, U+23E9 and every code point from U+24C2 up.</summary>
    public static IPreprocessingStep RemoveEmoji { get; } = new Step("remove-emoji", RemoveEmojiImpl);

    /// <summary>
    /// Step 7: one left-to-right pass of B2BERT's <c>re.sub(r'([\u0600-\u06FF])([A-Za-z])|([A-Za-z])([\u0600-\u06FF])',
    /// r'\1 \2\3 \4', text)</c>: Arabic-block then ASCII letter gains a space between and one after the letter
    /// (<c>بa</c> → <c>ب a </c>), ASCII letter then Arabic one before the letter and one between (<c>aب</c> →
    /// <c> a ب</c>); matches never overlap.
    /// </summary>
    public static IPreprocessingStep SeparateArabicAndLatin { get; } = new Step("separate-arabic-latin", SeparateImpl);

    /// <summary>Step 8: <c>https?://\S+</c> → <c>URL</c>, then <c>@\w+</c> → <c>USER</c>.</summary>
    public static IPreprocessingStep ReplaceUrlsAndMentions { get; } = new Step("replace-urls-mentions", ReplaceUrlsAndMentionsImpl);

    /// <summary>
    /// Step 9: <c>re.sub(r"\b(?!URL\b|USER\b)[A-Za-z0-9_]+\b|[^\w\s]|#", " ", text)</c>: ASCII words other than
    /// the <c>URL</c>/<c>USER</c> placeholders, and every character that is neither a word character nor
    /// whitespace, become spaces.
    /// </summary>
    public static IPreprocessingStep RemoveLatinWordsAndSymbols { get; } = new Step("remove-latin-words-symbols", RemoveLatinWordsAndSymbolsImpl);

    /// <summary>Step 10: splits on whitespace, drops NLTK's Arabic stopwords, joins with single spaces.</summary>
    public static IPreprocessingStep RemoveStopwords { get; } = new Step("remove-stopwords", RemoveStopwordsImpl);

    /// <summary>The ten steps in B2BERT's order.</summary>
    public static IReadOnlyList<IPreprocessingStep> All { get; } =
    [
        RemoveDiacritics, Trim, NormalizeLetters, CollapseRepeatedLetters, RemovePunctuation,
        RemoveEmoji, SeparateArabicAndLatin, ReplaceUrlsAndMentions, RemoveLatinWordsAndSymbols, RemoveStopwords,
    ];

    /// <summary>NLTK's Arabic stopword list (shipped as a resource; see its NOTICE).</summary>
    public static IReadOnlySet<string> Stopwords => StopwordSet;

    private const string PunctuationCharacters =
        "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u00A6\u00D7\u00F7\u060C\u061B\u061F\u0640\u2013\u201C\u201D\u2026";

    private static readonly FrozenSet<string> StopwordSet = LoadStopwords();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> StopwordLookup =
        StopwordSet.GetAlternateLookup<ReadOnlySpan<char>>();

    private sealed class Step(string name, Func<string, string> apply) : IPreprocessingStep
    {
        public string Name => name;
        public string Apply(string text) => apply(text ?? throw new ArgumentNullException(nameof(text)));
        public override string ToString() => name;
    }

    internal static bool IsDiacritic(char c) =>
        c is (>= '\u0610' and <= '\u061A') or (>= '\u064B' and <= '\u065F') or '\u0670'
            or (>= '\u06D6' and <= '\u06DC') or (>= '\u06DF' and <= '\u06E4') or '\u06E7' or '\u06E8'
            or (>= '\u06EA' and <= '\u06ED');

    private static string RemoveDiacriticsImpl(string text) => Filter(text, static c => !IsDiacritic(c));

    private static string TrimImpl(string text)
    {
        // All of Python's whitespace is in the BMP, so UTF-16 units can be tested one by one.
        int start = 0, end = text.Length;
        while (start < end && PythonUnicode.IsSpace(text[start])) start++;
        while (end > start && PythonUnicode.IsSpace(text[end - 1])) end--;
        return start == 0 && end == text.Length ? text : text[start..end];
    }

    private static string NormalizeLettersImpl(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] switch
            {
                'إ' or 'أ' or 'ٱ' or 'آ' => 'ا',
                'ى' => 'ي',
                'ؤ' or 'ئ' => 'ء',
                'ة' => 'ه',
                var c => c,
            };
        }
    });

    private static string CollapseImpl(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (i > 0 && c == text[i - 1] && c is 'ا' or 'و' or 'ي' or 'ء')
                continue;
            builder.Append(c);
        }
        return builder.Length == text.Length ? text : builder.ToString();
    }

    private static string RemovePunctuationImpl(string text) =>
        Filter(text, static c => !PunctuationCharacters.Contains(c)).Replace('ஜ', ' ');

    // Every UTF-16 unit at or above U+24C2 belongs to a deleted code point: the BMP part of the range directly,
    // supplementary code points through their surrogates (U+D800–U+DFFF), so a per-unit filter is exact.
    private static string RemoveEmojiImpl(string text) =>
        Filter(text, static c => c < '\u24C2' && c is not ('\u200D' or '\u231A' or '\u23CF' or '\u23E9'));

    private static bool IsArabicBlock(char c) => c is >= '\u0600' and <= '\u06FF';

    private static bool IsAsciiLetter(char c) => char.IsAsciiLetter(c);

    // re.sub(r'([\u0600-\u06FF])([A-Za-z])|([A-Za-z])([\u0600-\u06FF])', r'\1 \2\3 \4', text): groups that did
    // not take part are empty, so "بa" becomes "ب a " and "aب" becomes " a ب"; the scan resumes after each match,
    // so matches never overlap ("aبc" → " a بc"). Both classes are in the BMP, so UTF-16 units can be compared.
    private static string SeparateImpl(string text)
    {
        StringBuilder? builder = null;
        var copied = 0;
        var i = 0;
        while (i + 1 < text.Length)
        {
            var (first, second) = (text[i], text[i + 1]);
            var arabicThenLatin = IsArabicBlock(first) && IsAsciiLetter(second);
            if (!arabicThenLatin && !(IsAsciiLetter(first) && IsArabicBlock(second)))
            {
                i++;
                continue;
            }
            builder ??= new StringBuilder(text.Length + 8);
            builder.Append(text, copied, i - copied);
            if (arabicThenLatin) builder.Append(first).Append(' ').Append(second).Append(' ');
            else builder.Append(' ').Append(first).Append(' ').Append(second);
            i += 2;
            copied = i;
        }
        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();
    }

    private static string ReplaceUrlsAndMentionsImpl(string text) => ReplaceMentions(ReplaceUrls(text));

    private static string ReplaceUrls(string text)
    {
        if (!text.Contains("http", StringComparison.Ordinal)) return text;
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var end = MatchUrl(text, i);
            if (end > i)
            {
                builder.Append("URL");
                i = end;
            }
            else builder.Append(text[i++]);
        }
        return builder.ToString();
    }

    /// <summary>End of a <c>https?://\S+</c> match starting at <paramref name="start"/>, or <paramref name="start"/>.</summary>
    private static int MatchUrl(string text, int start)
    {
        var s = text.AsSpan(start);
        int afterScheme;
        if (s.StartsWith("https://", StringComparison.Ordinal)) afterScheme = 8;
        else if (s.StartsWith("http://", StringComparison.Ordinal)) afterScheme = 7;
        else return start;
        var end = start + afterScheme;
        while (end < text.Length && !PythonUnicode.IsSpace(text[end])) end++;
        return end > start + afterScheme ? end : start;
    }

    private static string ReplaceMentions(string text)
    {
        if (!text.Contains('@')) return text;
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '@')
            {
                var end = i + 1;
                while (end < text.Length && Rune.TryGetRuneAt(text, end, out var r) && PythonUnicode.IsWord(r.Value))
                    end += r.Utf16SequenceLength;
                if (end > i + 1)
                {
                    builder.Append("USER");
                    i = end;
                    continue;
                }
            }
            builder.Append(text[i++]);
        }
        return builder.ToString();
    }

    private static string RemoveLatinWordsAndSymbolsImpl(string text)
    {
        // A \b-bounded [A-Za-z0-9_]+ can only match a whole maximal run of Python word characters (inside a run
        // there is no \b), and only when that run is entirely ASCII. So runs are kept or blanked as a whole, and
        // every other code point that is neither word nor space becomes one space.
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            // A lone surrogate (impossible in Python text read from UTF-8) decodes as U+FFFD: a symbol.
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var width);
            if (PythonUnicode.IsWord(rune.Value))
            {
                var start = i;
                var asciiOnly = true;
                while (i < text.Length && Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out var n) == System.Buffers.OperationStatus.Done && PythonUnicode.IsWord(r.Value))
                {
                    asciiOnly &= r.Value < 128;
                    i += n;
                }
                var run = text.AsSpan(start, i - start);
                if (asciiOnly && !run.SequenceEqual("URL") && !run.SequenceEqual("USER")) builder.Append(' ');
                else builder.Append(run);
            }
            else
            {
                if (PythonUnicode.IsSpace(rune.Value)) builder.Append(text, i, width);
                else builder.Append(' ');
                i += width;
            }
        }
        return builder.ToString();
    }

    private static string RemoveStopwordsImpl(string text)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && PythonUnicode.IsSpace(text[i])) i++;
            var start = i;
            while (i < text.Length && !PythonUnicode.IsSpace(text[i])) i++;
            if (i == start) break;
            var word = text.AsSpan(start, i - start);
            if (StopwordLookup.Contains(word)) continue;
            if (builder.Length > 0) builder.Append(' ');
            builder.Append(word);
        }
        return builder.ToString();
    }

    private static string Filter(string text, Func<char, bool> keep)
    {
        var index = 0;
        while (index < text.Length && keep(text[index])) index++;
        if (index == text.Length) return text;
        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, index);
        for (; index < text.Length; index++)
            if (keep(text[index])) builder.Append(text[index]);
        return builder.ToString();
    }

    private static FrozenSet<string> LoadStopwords()
    {
        using var stream = typeof(B2BertSteps).Assembly.GetManifestResourceStream("Lahja.Resources.nltk-arabic-stopwords.txt")
            ?? throw new InvalidOperationException("The NLTK Arabic stopword resource is missing from the Lahja assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) words.Add(line);
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
