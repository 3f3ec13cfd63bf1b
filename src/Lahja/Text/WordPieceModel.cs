namespace Lahja.Text;

/// <summary>
/// Hugging Face's WordPiece model: the vocabulary, and the greedy longest-match-first split of one word into pieces
/// (word-internal pieces carry the continuing-subword prefix in the vocabulary).
/// </summary>
internal sealed class WordPieceModel
{
    private readonly string[] _idToToken;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordStarts;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _longestPiece;
    private readonly int _maxInputCharsPerWord;

    /// <param name="vocabulary">Token to id; ids need not be dense but must be non-negative.</param>
    /// <param name="unkToken">The unknown token (it stands for ids no token has, and for words that cannot be split).</param>
    /// <param name="continuingSubwordPrefix">Prefix of word-internal pieces (<c>##</c>).</param>
    /// <param name="maxInputCharsPerWord">Words longer than this many code points become the unknown token.</param>
    public WordPieceModel(IReadOnlyDictionary<string, int> vocabulary, string unkToken, string continuingSubwordPrefix, int maxInputCharsPerWord)
    {
        var size = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
        _idToToken = new string[size];
        var starts = new Dictionary<string, int>(vocabulary.Count, FastOrdinalComparer.Instance);
        var continuations = new Dictionary<string, int>(FastOrdinalComparer.Instance);
        var prefix = continuingSubwordPrefix;
        foreach (var (token, id) in vocabulary)
        {
            if (id < 0) throw new ArgumentException($"Token '{token}' has a negative id {id}.", nameof(vocabulary));
            _idToToken[id] ??= token;
            starts[token] = id;
            if (prefix.Length > 0 && token.StartsWith(prefix, StringComparison.Ordinal))
                continuations[token[prefix.Length..]] = id;
            _longestPiece = Math.Max(_longestPiece, token.Length);
        }
        for (var id = 0; id < _idToToken.Length; id++) _idToToken[id] ??= unkToken;
        _wordStarts = starts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxInputCharsPerWord = maxInputCharsPerWord;
        UnkId = starts.TryGetValue(unkToken, out var unkId) ? unkId : -1;
    }

    /// <summary>The number of ids (largest id + 1).</summary>
    public int Size => _idToToken.Length;

    /// <summary>The id of the unknown token (-1 when the vocabulary lacks it: <see cref="BertTokenizer"/> refuses such a vocabulary).</summary>
    public int UnkId { get; }

    /// <summary>The id of <paramref name="token"/>, or null when it is not in the vocabulary.</summary>
    public int? TokenToId(string token) => _wordStarts.Dictionary.TryGetValue(token, out var id) ? id : null;

    /// <summary>The token of an id known to be in range.</summary>
    public string Token(int id) => _idToToken[id];

    /// <summary>The token string of <paramref name="id"/>.</summary>
    public string IdToToken(int id) =>
        (uint)id < (uint)_idToToken.Length ? _idToToken[id] : throw new ArgumentOutOfRangeException(nameof(id), id, $"Ids range from 0 to {_idToToken.Length - 1}.");

    /// <summary>Splits the word <paramref name="buffer"/>[start..end) into pieces, added to <paramref name="output"/> with their input spans.</summary>
    public void Tokenize(NormalizedBuffer buffer, int start, int end, EncodingBuilder output)
    {
        var word = buffer.Chars.AsSpan(start, end - start);
        var codePoints = word.Length;
        foreach (var c in word)
            if (char.IsLowSurrogate(c)) codePoints--;
        if (codePoints > _maxInputCharsPerWord)
        {
            Emit(UnkId, start, end);
            return;
        }
        var firstPiece = output.Count;
        var position = 0;
        while (position < word.Length)
        {
            var lookup = position == 0 ? _wordStarts : _continuations;
            var maxEnd = Math.Min(word.Length, position + _longestPiece);
            var found = -1;
            var pieceEnd = maxEnd;
            for (; pieceEnd > position; pieceEnd--)
            {
                if (pieceEnd < word.Length && char.IsLowSurrogate(word[pieceEnd]) && char.IsHighSurrogate(word[pieceEnd - 1]))
                    continue; // never split a surrogate pair: pieces are made of whole code points
                if (lookup.TryGetValue(word[position..pieceEnd], out found)) break;
            }
            if (pieceEnd == position)
            {
                // One unknowable piece makes the whole word unknown.
                output.Truncate(firstPiece);
                Emit(UnkId, start, end);
                return;
            }
            Emit(found, start + position, start + pieceEnd);
            position = pieceEnd;
        }

        void Emit(int id, int from, int to) => output.Add(id, buffer.Starts[from], buffer.Ends[to - 1], false);
    }
}
