namespace Lahja.Text;

/// <summary>Hugging Face's <c>pad_encodings</c>: encodings of different lengths made into one rectangular batch.</summary>
internal static class Padding
{
    /// <summary>
    /// Pads <paramref name="items"/> with <paramref name="padId"/> to <paramref name="length"/> when given, else to the
    /// longest; the attention mask is 1 on real tokens, and the token types are all 0 (single sequences).
    /// </summary>
    public static TokenizedBatch Pad(IReadOnlyList<TokenizedText> items, int padId, int? length)
    {
        ArgumentNullException.ThrowIfNull(items);
        var longest = items.Count == 0 ? 0 : items.Max(x => x.Count);
        if (length is { } fixedLength && fixedLength < longest)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"An encoding has {longest} tokens.");
        var width = length ?? longest;
        var ids = new long[items.Count * width];
        var mask = new long[ids.Length];
        Array.Fill(ids, padId);
        for (var row = 0; row < items.Count; row++)
        {
            var item = items[row];
            for (var j = 0; j < item.Count; j++)
            {
                ids[row * width + j] = item.InputIds[j];
                mask[row * width + j] = 1;
            }
        }
        return new TokenizedBatch(items, width, ids, mask, new long[ids.Length]);
    }
}
