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
