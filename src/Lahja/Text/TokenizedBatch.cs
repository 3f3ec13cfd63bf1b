namespace Lahja.Text;

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
