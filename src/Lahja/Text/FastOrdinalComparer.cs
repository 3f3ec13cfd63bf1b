namespace Lahja.Text;

/// <summary>
/// Ordinal string equality with a cheap FNV-1a hash, usable with spans. The default ordinal comparer's randomized
/// Marvin hash guards dictionaries whose keys an attacker chooses; here the keys are the fixed vocabulary and
/// input only probes it, and the lookups are the tokenizer's hot path.
/// </summary>
internal sealed class FastOrdinalComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    public static readonly FastOrdinalComparer Instance = new();

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<char> alternate) => Hash(alternate);

    public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();

    private static int Hash(ReadOnlySpan<char> s)
    {
        var h = 2166136261u;
        foreach (var c in s) h = (h ^ c) * 16777619u;
        return (int)h;
    }
}
