using System.Text;

namespace Lahja.Text;

/// <summary>Hugging Face's <c>BertPreTokenizer</c>: split normalised text on whitespace, and isolate every punctuation character.</summary>
internal static class BertPreTokenizer
{
    /// <summary>The [Start, End) spans of the words in <paramref name="buffer"/>, in order.</summary>
    public static List<(int Start, int End)> WordSpans(NormalizedBuffer buffer)
    {
        var spans = new List<(int, int)>();
        var chars = buffer.Chars;
        var i = 0;
        while (i < buffer.Length)
        {
            var rune = ReadRune(chars, i, buffer.Length);
            var width = rune.Utf16SequenceLength;
            if (BertNormalizer.IsWhitespace(rune.Value))
            {
                i += width;
                continue;
            }
            if (BertNormalizer.IsPunctuation(rune))
            {
                spans.Add((i, i + width));
                i += width;
                continue;
            }
            var wordStart = i;
            i += width;
            while (i < buffer.Length)
            {
                var next = ReadRune(chars, i, buffer.Length);
                if (BertNormalizer.IsWhitespace(next.Value) || BertNormalizer.IsPunctuation(next)) break;
                i += next.Utf16SequenceLength;
            }
            spans.Add((wordStart, i));
        }
        return spans;
    }

    private static Rune ReadRune(char[] chars, int index, int length)
    {
        var c = chars[index];
        if (char.IsHighSurrogate(c) && index + 1 < length && char.IsLowSurrogate(chars[index + 1]))
            return new Rune(c, chars[index + 1]);
        return Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
    }
}
