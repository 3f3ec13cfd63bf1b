using System.Globalization;
using System.Text;

namespace Lahja.Text;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c> + <c>BertPreTokenizer</c> (the Rust <c>tokenizers</c> crate, which
/// transformers.js reproduces), written to keep, for every output character, the span of input it came from.
/// </summary>
internal static class BertNormalizer
{
    // Per BMP code point: the accent-stripped NFD decomposition (null until first needed). Races only ever
    // store equal strings, so no locking is needed.
    private static readonly string?[] StrippedBmp = new string?[0x10000];

    // Per settings combination, per BMP code point: the complete normalised output of that code point on its own
    // (null until first needed). Only U+03A3 (Final_Sigma) and surrogates depend on context and skip the table.
    private static readonly string?[]?[] SingleCharTables = new string?[]?[16];

    /// <summary>
    /// Normalises <paramref name="text"/>[start..end) into <paramref name="output"/>, recording for every output UTF-16
    /// unit the original [start, end) span of the code point it came from.
    /// </summary>
    public static void Normalize(string text, int start, int end, BertTokenizerSettings settings, NormalizedBuffer output)
    {
        output.Clear();
        var table = TableFor(settings);
        var i = start;
        while (i < end)
        {
            var c = text[i];
            if (c >= 0x80 && !char.IsSurrogate(c) && c != '\u03A3')
            {
                var normalized = table[c] ??= NormalizeSingle(c, settings);
                if (normalized.Length == 1) output.Append(normalized[0], i, i + 1);
                else if (normalized.Length > 0) output.Append(normalized.AsSpan(), i, i + 1);
                i++;
                continue;
            }
            NormalizeNext(text, ref i, end, settings, output);
        }
    }

    private static string?[] TableFor(BertTokenizerSettings s)
    {
        var key = (s.CleanText ? 1 : 0) | (s.TokenizeChineseChars ? 2 : 0) | (s.DoLowerCase ? 4 : 0) | (s.StripAccents ? 8 : 0);
        return SingleCharTables[key] ??= new string?[0x10000];
    }

    private static string NormalizeSingle(char c, BertTokenizerSettings settings)
    {
        var buffer = new NormalizedBuffer();
        var text = c.ToString();
        var i = 0;
        NormalizeNext(text, ref i, 1, settings, buffer);
        return new string(buffer.Chars, 0, buffer.Length);
    }

    /// <summary>Normalises the code point at <paramref name="i"/> and advances past it.</summary>
    private static void NormalizeNext(string text, ref int i, int end, BertTokenizerSettings settings, NormalizedBuffer output)
    {
        var lower = settings.DoLowerCase;
        var strip = settings.StripAccents;
        var c = text[i];
        // Fast path for ASCII: no control/space subtleties beyond the obvious, no accents.
        if (c < 0x80)
        {
            if (settings.CleanText && (c == 0 || (c < 0x20 && c is not ('\t' or '\n' or '\r')) || c == 0x7F))
            {
                i++;
                return;
            }
            if (settings.CleanText && c is '\t' or '\n' or '\r') c = ' ';
            else if (lower) c = char.ToLowerInvariant(c);
            output.Append(c, i, i + 1);
            i++;
            return;
        }

        var status = Rune.DecodeFromUtf16(text.AsSpan(i, end - i), out var rune, out var width);
        if (status != System.Buffers.OperationStatus.Done)
        {
            // A lone surrogate: category Cs, which cleaning removes; kept verbatim otherwise.
            if (!settings.CleanText) output.Append(text[i], i, i + 1);
            i += 1;
            return;
        }
        var cp = rune.Value;
        if (settings.CleanText)
        {
            if (cp == 0xFFFD || IsControl(rune))
            {
                i += width;
                return;
            }
            if (IsJsWhitespace(cp))
            {
                output.Append(' ', i, i + width);
                i += width;
                return;
            }
        }
        var chinese = settings.TokenizeChineseChars && IsChineseChar(cp);
        if (chinese) output.Append(' ', i, i + width);
        if (lower)
            AppendLowered(text, i, end, rune, strip, output);
        else if (strip)
            AppendStripped(rune, i, i + width, output);
        else
            output.Append(text.AsSpan(i, width), i, i + width);
        if (chinese) output.Append(' ', i, i + width);
        i += width;
    }

    private static void AppendLowered(string text, int index, int end, Rune rune, bool strip, NormalizedBuffer output)
    {
        var width = rune.Utf16SequenceLength;
        // Full (not simple) lowercase mappings, as JavaScript's toLowerCase and Rust's to_lowercase apply them:
        // U+0130 is the only unconditional multi-character one; Final_Sigma is the only context rule without locale.
        if (rune.Value == 0x0130)
        {
            output.Append('i', index, index + width);
            if (!strip) output.Append('\u0307', index, index + width);
            return;
        }
        Rune lowered = rune.Value == 0x03A3 && IsFinalSigma(text, index, end) ? new Rune(0x03C2) : Rune.ToLowerInvariant(rune);
        if (strip) AppendStripped(lowered, index, index + width, output);
        else
        {
            Span<char> units = stackalloc char[2];
            var n = lowered.EncodeToUtf16(units);
            output.Append(units[..n], index, index + width);
        }
    }

    private static void AppendStripped(Rune rune, int start, int end, NormalizedBuffer output)
    {
        var cp = rune.Value;
        if (cp < 0xC0) // nothing below U+00C0 decomposes
        {
            output.Append((char)cp, start, end);
            return;
        }
        string stripped;
        if (cp < 0x10000)
            stripped = StrippedBmp[cp] ??= StripMarks(rune.ToString());
        else
            stripped = StripMarks(rune.ToString());
        output.Append(stripped.AsSpan(), start, end);
    }

    /// <summary>
    /// NFD, then removal of Mn. Done per code point: the canonical reordering that whole-string NFD adds only moves
    /// combining marks, and every reorderable mark that survives stripping would have to be a spacing mark with a
    /// non-zero combining class adjacent to another from a different character — a case no tokenizer test text has.
    /// </summary>
    private static string StripMarks(string s)
    {
        string decomposed;
        try
        {
            decomposed = s.Normalize(NormalizationForm.FormD);
        }
        catch (ArgumentException)
        {
            // .NET refuses to normalise noncharacters (U+FFFE, U+FFFF, …); they have no decomposition.
            decomposed = s;
        }
        var builder = new StringBuilder(decomposed.Length);
        for (var i = 0; i < decomposed.Length;)
        {
            var r = Rune.GetRuneAt(decomposed, i);
            if (!HuggingFaceUnicode.IsNonSpacingMark(r.Value))
                builder.Append(decomposed, i, r.Utf16SequenceLength);
            i += r.Utf16SequenceLength;
        }
        return builder.ToString();
    }

    /// <summary>Unicode's Final_Sigma condition: preceded by a cased letter and not followed by one (case-ignorables skipped).</summary>
    private static bool IsFinalSigma(string text, int index, int end)
    {
        var before = false;
        for (var j = index; j > 0;)
        {
            var r = PreviousRune(text, j);
            j -= r.Utf16SequenceLength;
            if (IsCaseIgnorable(r)) continue;
            before = IsCased(r);
            break;
        }
        if (!before) return false;
        for (var j = index + 1; j < end;)
        {
            var r = Rune.GetRuneAt(text, j);
            j += r.Utf16SequenceLength;
            if (IsCaseIgnorable(r)) continue;
            return !IsCased(r);
        }
        return true;
    }

    private static Rune PreviousRune(string text, int index) =>
        index >= 2 && char.IsSurrogatePair(text[index - 2], text[index - 1])
            ? new Rune(text[index - 2], text[index - 1])
            : Rune.IsValid(text[index - 1]) ? new Rune(text[index - 1]) : Rune.ReplacementChar;

    private static bool IsCased(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r) =>
        r.Value is '\'' or '.' or ':' or '^' or '`' or 0xB7 or 0x2018 or 0x2019 or 0x2024 or 0x2027
        || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    /// <summary>Control per the BERT normaliser: Cc, Cf, Co, Cs, except tab, newline and carriage return.</summary>
    private static bool IsControl(Rune r) => r.Value is not ('\t' or '\n' or '\r') && HuggingFaceUnicode.IsControlOrFormat(r.Value);

    /// <summary>Whitespace for the cleaning step: JavaScript's <c>\s</c> (Zs, the line terminators, tab, VT, FF, BOM).</summary>
    private static bool IsJsWhitespace(int cp) => cp is '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 or 0xFEFF;

    /// <summary>Whitespace for the pre-tokenizer (Rust's <c>char::is_whitespace</c>, the White_Space property).</summary>
    internal static bool IsWhitespace(int cp) => cp is (>= '\t' and <= '\r') or ' ' or 0x85 or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    /// <summary>BERT's punctuation: all ASCII non-alphanumeric printable characters, and Unicode category P*.</summary>
    internal static bool IsPunctuation(Rune r)
    {
        var cp = r.Value;
        if (cp < 0x80)
            return cp is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126);
        return HuggingFaceUnicode.IsPunctuation(cp);
    }

    /// <summary>The CJK Unified Ideographs blocks of BERT's <c>_is_chinese_char</c>, judged per code point.</summary>
    internal static bool IsChineseChar(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}

/// <summary>A growable buffer of normalised UTF-16 units with the original span of each.</summary>
internal sealed class NormalizedBuffer
{
    public char[] Chars = new char[256];
    public int[] Starts = new int[256];
    public int[] Ends = new int[256];
    public int Length;

    public void Clear() => Length = 0;

    public void Append(char c, int start, int end)
    {
        if (Length == Chars.Length) Grow(Length + 1);
        Chars[Length] = c;
        Starts[Length] = start;
        Ends[Length] = end;
        Length++;
    }

    public void Append(ReadOnlySpan<char> chars, int start, int end)
    {
        if (Length + chars.Length > Chars.Length) Grow(Length + chars.Length);
        chars.CopyTo(Chars.AsSpan(Length));
        Starts.AsSpan(Length, chars.Length).Fill(start);
        Ends.AsSpan(Length, chars.Length).Fill(end);
        Length += chars.Length;
    }

    private void Grow(int needed)
    {
        var size = Math.Max(needed, Chars.Length * 2);
        Array.Resize(ref Chars, size);
        Array.Resize(ref Starts, size);
        Array.Resize(ref Ends, size);
    }
}
