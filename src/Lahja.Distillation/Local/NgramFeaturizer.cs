using System.Runtime.InteropServices;

namespace Lahja.Distillation.Local;

/// <summary>A sparse feature vector: sorted feature indices and their values.</summary>
internal readonly record struct SparseVector(int[] Indices, float[] Values);

/// <summary>
/// TF-IDF features of character 1–5-grams (over the lower-cased text with whitespace collapsed and a space at each
/// end, as scikit-learn's <c>char</c> analyzer) and word 1–2-grams: sublinear term frequency (1 + ln tf), smoothed
/// idf (ln((1 + n) / (1 + df)) + 1), L2-normalised rows. The vocabulary keeps n-grams seen in at least
/// <see cref="MinDocumentFrequency"/> texts, the most frequent first up to <see cref="MaxFeatures"/>. N-grams are
/// identified by a 64-bit FNV-1a hash (collisions among a few million n-grams are vanishingly rare).
/// </summary>
internal sealed class NgramFeaturizer
{
    public const int MaxCharN = 5, MaxWordN = 2;
    public const int MinDocumentFrequency = 2;
    public const int MaxFeatures = 1_000_000;

    private readonly Dictionary<ulong, int> index;
    private readonly float[] idf;

    private NgramFeaturizer(Dictionary<ulong, int> index, float[] idf)
    {
        this.index = index;
        this.idf = idf;
    }

    /// <summary>Number of features.</summary>
    public int Count => idf.Length;

    /// <summary>The n-gram keys in feature order, and their idf (for saving).</summary>
    public (ulong[] Keys, float[] Idf) Export()
    {
        var keys = new ulong[idf.Length];
        foreach (var (key, i) in index) keys[i] = key;
        return (keys, idf);
    }

    /// <summary>Restores a saved featurizer.</summary>
    public static NgramFeaturizer Import(ulong[] keys, float[] idf)
    {
        var index = new Dictionary<ulong, int>(keys.Length);
        for (var i = 0; i < keys.Length; i++) index[keys[i]] = i;
        return new NgramFeaturizer(index, idf);
    }

    /// <summary>Builds the vocabulary and idf from <paramref name="texts"/>.</summary>
    public static NgramFeaturizer Fit(IReadOnlyList<string> texts)
    {
        var df = new Dictionary<ulong, int>();
        var seen = new HashSet<ulong>();
        foreach (var text in texts)
        {
            seen.Clear();
            foreach (var key in Keys(text)) seen.Add(key);
            foreach (var key in seen) CollectionsMarshal.GetValueRefOrAddDefault(df, key, out _)++;
        }
        var kept = df.Where(p => p.Value >= MinDocumentFrequency)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key)
            .Take(MaxFeatures).Select(p => p.Key).Order().ToArray();
        var index = new Dictionary<ulong, int>(kept.Length);
        var idf = new float[kept.Length];
        for (var i = 0; i < kept.Length; i++)
        {
            index[kept[i]] = i;
            idf[i] = (float)(Math.Log((1.0 + texts.Count) / (1.0 + df[kept[i]])) + 1.0);
        }
        return new NgramFeaturizer(index, idf);
    }

    /// <summary>The TF-IDF vector of <paramref name="text"/>.</summary>
    public SparseVector Transform(string text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var key in Keys(text))
            if (index.TryGetValue(key, out var feature)) CollectionsMarshal.GetValueRefOrAddDefault(counts, feature, out _)++;
        var indices = counts.Keys.Order().ToArray();
        var values = new float[indices.Length];
        double norm = 0;
        for (var i = 0; i < indices.Length; i++)
        {
            var v = (1.0 + Math.Log(counts[indices[i]])) * idf[indices[i]];
            values[i] = (float)v;
            norm += v * v;
        }
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < values.Length; i++) values[i] *= scale;
        }
        return new SparseVector(indices, values);
    }

    /// <summary>The hashed n-grams of a text, with repetitions.</summary>
    internal static List<ulong> Keys(string text)
    {
        var normalized = " " + string.Join(' ', text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) + " ";
        var keys = new List<ulong>(normalized.Length * MaxCharN + 64);
        var span = normalized.AsSpan();
        for (var start = 0; start < span.Length; start++)
        {
            var hash = Offset ^ 'c';
            for (var n = 1; n <= MaxCharN && start + n <= span.Length; n++)
            {
                hash = (hash ^ span[start + n - 1]) * Prime;
                keys.Add(hash ^ (ulong)n);
            }
        }
        var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var start = 0; start < words.Length; start++)
        {
            var hash = Offset ^ 'w';
            for (var n = 1; n <= MaxWordN && start + n <= words.Length; n++)
            {
                foreach (var c in words[start + n - 1]) hash = (hash ^ c) * Prime;
                hash = (hash ^ 0x1F) * Prime;
                keys.Add(hash ^ ((ulong)n << 8));
            }
        }
        return keys;
    }

    private const ulong Offset = 14695981039346656037UL, Prime = 1099511628211UL;
}
