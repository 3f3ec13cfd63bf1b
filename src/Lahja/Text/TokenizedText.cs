namespace Lahja.Text;

/// <summary>One encoded text: ids, tokens and where each token came from in the input.</summary>
public sealed class TokenizedText
{
    internal TokenizedText(int[] ids, string[] tokens, (int Start, int End)[] offsets, bool[] isSpecial, bool truncated)
    {
        InputIds = ids;
        Tokens = tokens;
        Offsets = offsets;
        SpecialTokensMask = isSpecial;
        WasTruncated = truncated;
    }

    /// <summary>Vocabulary ids, special tokens included.</summary>
    public IReadOnlyList<int> InputIds { get; }

    /// <summary>The tokens as strings (<c>##</c> marks word-internal pieces).</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>
    /// For each token, the [Start, End) span of the input text it covers, in UTF-16 units (C# string indices);
    /// (0, 0) for special tokens.
    /// </summary>
    public IReadOnlyList<(int Start, int End)> Offsets { get; }

    /// <summary>True where the token is a special token ([CLS], [SEP], …) added or matched verbatim.</summary>
    public IReadOnlyList<bool> SpecialTokensMask { get; }

    /// <summary>Whether tokens were dropped to fit the maximum length.</summary>
    public bool WasTruncated { get; }

    /// <summary>The number of tokens.</summary>
    public int Count => InputIds.Count;
}

/// <summary>
/// A padded batch, ready for a model: row-major <c>[Count, SequenceLength]</c> arrays of ids, attention mask and
/// token type ids (all zero: single sequences).
/// </summary>
public sealed class TokenizedBatch
{
    internal TokenizedBatch(IReadOnlyList<TokenizedText> items, int sequenceLength, long[] ids, long[] mask, long[] typeIds)
    {
        Items = items;
        SequenceLength = sequenceLength;
        InputIds = ids;
        AttentionMask = mask;
        TokenTypeIds = typeIds;
    }

    /// <summary>The texts' encodings, unpadded, in input order.</summary>
    public IReadOnlyList<TokenizedText> Items { get; }

    /// <summary>The number of texts.</summary>
    public int Count => Items.Count;

    /// <summary>The padded length of every row.</summary>
    public int SequenceLength { get; }

    /// <summary>Input ids, row-major, padded with the pad token's id.</summary>
    public long[] InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding, row-major.</summary>
    public long[] AttentionMask { get; }

    /// <summary>Token type ids (segment ids), row-major; zero for single sequences.</summary>
    public long[] TokenTypeIds { get; }
}
