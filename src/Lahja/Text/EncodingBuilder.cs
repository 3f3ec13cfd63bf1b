namespace Lahja.Text;

/// <summary>
/// The tokens of an encoding as they are produced: ids, and (unless only counting) each token's span of the input
/// and whether it is special.
/// </summary>
internal sealed class EncodingBuilder
{
    private readonly List<int> _ids;
    private readonly List<(int Start, int End)>? _offsets;
    private readonly List<bool>? _special;

    /// <param name="capacity">Tokens expected.</param>
    /// <param name="idsOnly">Keep ids only (for counting).</param>
    public EncodingBuilder(int capacity, bool idsOnly = false)
    {
        _ids = new List<int>(capacity);
        if (idsOnly) return;
        _offsets = new List<(int, int)>(capacity);
        _special = new List<bool>(capacity);
    }

    public int Count => _ids.Count;

    public void Add(int id, int start, int end, bool special)
    {
        _ids.Add(id);
        _offsets?.Add((start, end));
        _special?.Add(special);
    }

    /// <summary>Drops the tokens from <paramref name="count"/> on.</summary>
    public void Truncate(int count)
    {
        _ids.RemoveRange(count, _ids.Count - count);
        _offsets?.RemoveRange(count, _offsets.Count - count);
        _special?.RemoveRange(count, _special.Count - count);
    }

    public int[] Ids() => _ids.ToArray();

    public (int Start, int End)[] Offsets() => _offsets?.ToArray() ?? throw new InvalidOperationException("Only ids were kept.");

    public bool[] SpecialTokensMask() => _special?.ToArray() ?? throw new InvalidOperationException("Only ids were kept.");
}
