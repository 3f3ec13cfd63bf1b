using System.Buffers;

namespace Lahja.Text;

/// <summary>
/// Hugging Face's added vocabulary: special tokens matched verbatim in the raw text (leftmost, longest first), before
/// normalisation; the text between them is normalised and split as usual.
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly (string Content, int Id)[] _tokens;
    private readonly HashSet<int> _ids;
    private readonly SearchValues<char> _firstChars;

    /// <param name="tokens">The special tokens with their ids.</param>
    public AddedVocabulary(IEnumerable<(string Content, int Id)> tokens)
    {
        _tokens = tokens.OrderByDescending(t => t.Content.Length).ToArray();
        _ids = _tokens.Select(t => t.Id).ToHashSet();
        _firstChars = SearchValues.Create(_tokens.Select(t => t.Content[0]).Distinct().ToArray());
    }

    /// <summary>Whether <paramref name="id"/> is a special token's.</summary>
    public bool IsSpecial(int id) => _ids.Contains(id);

    /// <summary>Finds the first special token in <paramref name="text"/> at or after <paramref name="from"/>.</summary>
    /// <returns>Whether one was found; then its index, id and length.</returns>
    public bool FindNext(string text, int from, out int index, out int id, out int length)
    {
        for (var i = from; i < text.Length; i++)
        {
            var next = text.AsSpan(i).IndexOfAny(_firstChars);
            if (next < 0) break;
            i += next;
            foreach (var (content, tokenId) in _tokens)
            {
                if (string.CompareOrdinal(text, i, content, 0, content.Length) != 0) continue;
                (index, id, length) = (i, tokenId, content.Length);
                return true;
            }
        }
        (index, id, length) = (-1, -1, 0);
        return false;
    }
}
