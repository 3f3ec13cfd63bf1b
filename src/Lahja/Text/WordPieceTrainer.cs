namespace Lahja.Text;

/// <summary>
/// Learns a WordPiece vocabulary from a corpus the way Hugging Face's <c>WordPieceTrainer</c> does: words come from
/// the BERT normaliser and pre-tokenizer, the alphabet is the most frequent characters (as word starts and as
/// <c>##</c> continuations), and pairs of adjacent pieces are merged by frequency (BPE) until the vocabulary reaches
/// its size. Ties are broken by the pieces' text, so the result is deterministic.
/// </summary>
public sealed class WordPieceTrainer
{
    /// <summary>The special tokens placed first, in BERT's order.</summary>
    public static readonly IReadOnlyList<string> SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    private readonly Dictionary<string, long> _wordCounts = new(StringComparer.Ordinal);
    private readonly BertTokenizer _splitter;

    /// <summary>Creates a trainer whose normalisation follows <paramref name="lowercase"/> (accents stripped with it).</summary>
    public WordPieceTrainer(bool lowercase = true)
    {
        var settings = new BertTokenizerSettings(lowercase, lowercase, true, true, "[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", null, 100, "##", "wordpiece trainer");
        _splitter = new BertTokenizer(SpecialTokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i), settings);
    }

    /// <summary>Counts the words of one text.</summary>
    public void Add(string text)
    {
        foreach (var word in _splitter.PreTokenize(text))
            _wordCounts[word] = _wordCounts.GetValueOrDefault(word) + 1;
    }

    /// <summary>Distinct words counted so far.</summary>
    public int DistinctWords => _wordCounts.Count;

    /// <summary>Distinct words counted at least <paramref name="minFrequency"/> times (the only ones <see cref="Train"/> merges pieces of).</summary>
    public int WordsSeenAtLeast(int minFrequency) => _wordCounts.Values.Count(c => c >= minFrequency);

    /// <summary>Learns a vocabulary of at most <paramref name="size"/> tokens.</summary>
    /// <param name="size">Target vocabulary size, special tokens included.</param>
    /// <param name="minFrequency">Merges (and words) seen fewer times are ignored (Hugging Face's default for BERT: 2).</param>
    /// <param name="alphabetLimit">Most frequent characters kept in the alphabet (Hugging Face's default: 1000).</param>
    public IReadOnlyList<string> Train(int size, int minFrequency = 2, int alphabetLimit = 1000)
    {
        var vocab = new List<string>(SpecialTokens);
        var seen = new HashSet<string>(vocab, StringComparer.Ordinal);
        void AddToken(string token) { if (seen.Add(token)) vocab.Add(token); }

        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in _wordCounts)
            foreach (var c in Elements(word))
                charCounts[c] = charCounts.GetValueOrDefault(c) + count;
        var alphabet = charCounts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(alphabetLimit)
            .Select(p => p.Key).Order(StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        foreach (var c in alphabet.Order(StringComparer.Ordinal)) AddToken(c);
        foreach (var c in alphabet.Order(StringComparer.Ordinal)) AddToken("##" + c);

        // Words as symbol-id sequences; a word with a character outside the alphabet cannot be built and is skipped.
        var symbols = new List<string>();
        var symbolIds = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string s) { if (!symbolIds.TryGetValue(s, out var id)) { id = symbols.Count; symbols.Add(s); symbolIds[s] = id; } return id; }
        var words = new List<(List<int> Pieces, long Count)>();
        foreach (var (word, count) in _wordCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (count < minFrequency) continue;
            var elements = Elements(word).ToArray();
            if (elements.Any(e => !alphabet.Contains(e))) continue;
            words.Add((elements.Select((e, i) => Id(i == 0 ? e : "##" + e)).ToList(), count));
        }

        var pairCounts = new Dictionary<(int, int), long>();
        var pairWords = new Dictionary<(int, int), HashSet<int>>();
        for (var w = 0; w < words.Count; w++) CountPairs(w, +1);
        var queue = new PriorityQueue<(int, int), (long, string)>(Comparer<(long Count, string Text)>.Create((a, b) =>
        {
            var byCount = b.Count.CompareTo(a.Count);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Text, b.Text);
        }));
        foreach (var (pair, count) in pairCounts) queue.Enqueue(pair, (count, Merged(pair)));

        while (vocab.Count < size && queue.TryDequeue(out var best, out var priority))
        {
            if (!pairCounts.TryGetValue(best, out var current) || current != priority.Item1) continue; // stale entry
            if (current < minFrequency) break;
            var merged = Merged(best);
            var mergedId = Id(merged);
            AddToken(merged);
            foreach (var w in pairWords[best].ToArray())
            {
                CountPairs(w, -1);
                var pieces = words[w].Pieces;
                for (var i = 0; i < pieces.Count - 1; i++)
                    if (pieces[i] == best.Item1 && pieces[i + 1] == best.Item2)
                    {
                        pieces[i] = mergedId;
                        pieces.RemoveAt(i + 1);
                    }
                CountPairs(w, +1, queue);
            }
        }
        return vocab;

        string Merged((int A, int B) pair) => symbols[pair.A] + symbols[pair.B][2..];

        void CountPairs(int w, int sign, PriorityQueue<(int, int), (long, string)>? requeue = null)
        {
            var (pieces, count) = words[w];
            var touched = new HashSet<(int, int)>();
            for (var i = 0; i < pieces.Count - 1; i++)
            {
                var pair = (pieces[i], pieces[i + 1]);
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + sign * count;
                touched.Add(pair);
                if (sign > 0)
                {
                    if (!pairWords.TryGetValue(pair, out var set)) pairWords[pair] = set = [];
                    set.Add(w);
                }
            }
            foreach (var pair in touched)
            {
                if (sign < 0 && pairWords.TryGetValue(pair, out var set)) set.Remove(w);
                if (requeue is not null && pairCounts[pair] > 0) requeue.Enqueue(pair, (pairCounts[pair], Merged(pair)));
            }
        }
    }

    /// <summary>The code points of a word, as strings.</summary>
    private static IEnumerable<string> Elements(string word)
    {
        for (var i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1)
            yield return word.Substring(i, char.IsSurrogatePair(word, i) ? 2 : 1);
    }
}
