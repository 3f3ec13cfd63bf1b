namespace Lahja.Checkpoints;

/// <summary>A checkpoint whose tensors do not fit the model its config describes; the message lists every problem.</summary>
public sealed class CheckpointMismatchException(string message) : IOException(message);

/// <summary>
/// The parameter names and shapes of Hugging Face's <c>BertForSequenceClassification</c> for a config, and the
/// mapping of stored key variants onto them.
/// </summary>
public static class BertCheckpointLayout
{
    /// <summary>The position-id buffer some checkpoints carry; it is not a parameter.</summary>
    public const string PositionIdsBuffer = "bert.embeddings.position_ids";

    /// <summary>Every parameter of <c>BertForSequenceClassification</c> with <paramref name="numLabels"/> outputs, in module order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Parameters(BertConfig config, int numLabels)
    {
        long h = config.HiddenSize, i = config.IntermediateSize;
        var list = new List<(string, long[])>
        {
            ("bert.embeddings.word_embeddings.weight", [config.VocabSize, h]),
            ("bert.embeddings.position_embeddings.weight", [config.MaxPositionEmbeddings, h]),
            ("bert.embeddings.token_type_embeddings.weight", [config.TypeVocabSize, h]),
            ("bert.embeddings.LayerNorm.weight", [h]),
            ("bert.embeddings.LayerNorm.bias", [h]),
        };
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            var p = $"bert.encoder.layer.{layer}.";
            foreach (var name in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                list.Add((p + name + ".weight", [h, h]));
                list.Add((p + name + ".bias", [h]));
            }
            list.Add((p + "attention.output.LayerNorm.weight", [h]));
            list.Add((p + "attention.output.LayerNorm.bias", [h]));
            list.Add((p + "intermediate.dense.weight", [i, h]));
            list.Add((p + "intermediate.dense.bias", [i]));
            list.Add((p + "output.dense.weight", [h, i]));
            list.Add((p + "output.dense.bias", [h]));
            list.Add((p + "output.LayerNorm.weight", [h]));
            list.Add((p + "output.LayerNorm.bias", [h]));
        }
        list.Add(("bert.pooler.dense.weight", [h, h]));
        list.Add(("bert.pooler.dense.bias", [h]));
        list.Add(("classifier.weight", [numLabels, h]));
        list.Add(("classifier.bias", [numLabels]));
        return list;
    }

    /// <summary>
    /// The canonical (<c>BertForSequenceClassification</c>) name of a stored key: adds the <c>bert.</c> prefix of a bare
    /// <c>BertModel</c> checkpoint and renames legacy <c>LayerNorm.gamma/beta</c>.
    /// </summary>
    public static string Canonical(string key)
    {
        if (key.StartsWith("embeddings.", StringComparison.Ordinal) || key.StartsWith("encoder.", StringComparison.Ordinal) || key.StartsWith("pooler.", StringComparison.Ordinal))
            key = "bert." + key;
        if (key.EndsWith("LayerNorm.gamma", StringComparison.Ordinal)) key = key[..^"gamma".Length] + "weight";
        else if (key.EndsWith("LayerNorm.beta", StringComparison.Ordinal)) key = key[..^"beta".Length] + "bias";
        return key;
    }

    private const string LayerPrefix = "bert.encoder.layer.";

    /// <summary>
    /// Compares <c>num_hidden_layers</c> with the encoder layers the weights hold, before anything is built per
    /// layer: a config that claims 10^9 layers must fail here, not after a list of 16·10^9 expected tensors.
    /// </summary>
    private static void CheckLayerCount(BertConfig config, IEnumerable<string> storedKeys, string source)
    {
        var layers = new SortedSet<int>();
        foreach (var key in storedKeys)
        {
            var canonical = Canonical(key);
            if (!canonical.StartsWith(LayerPrefix, StringComparison.Ordinal)) continue;
            var rest = canonical.AsSpan(LayerPrefix.Length);
            var dot = rest.IndexOf('.');
            if (dot > 0 && int.TryParse(rest[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                layers.Add(index);
        }
        if (layers.Count == config.NumHiddenLayers) return;
        var held = layers.Count == 0 ? "no encoder layer"
            : layers.Max == layers.Count - 1 ? $"{layers.Count} (layers 0 to {layers.Max})"
            : $"{layers.Count} (layers {string.Join(", ", layers.Take(20))}{(layers.Count > 20 ? ", …" : "")})";
        throw new CheckpointMismatchException($"{source} does not match its config: num_hidden_layers is {config.NumHiddenLayers}, but the weights hold {held}.");
    }

    /// <summary>
    /// Maps canonical parameter names to stored keys and checks names and shapes. Missing, unexpected and wrongly
    /// shaped tensors are reported together. With <paramref name="headOptional"/> (fine-tuning from a pre-trained
    /// encoder) a missing pooler or classifier and extra pre-training heads (<c>cls.*</c>) are allowed.
    /// </summary>
    /// <returns>Canonical name → stored key, for the parameters present.</returns>
    /// <exception cref="CheckpointMismatchException">Anything does not fit; a wrong layer count is reported before anything is built per layer.</exception>
    public static IReadOnlyDictionary<string, string> Match(BertConfig config, int numLabels, IReadOnlyDictionary<string, TensorInfo> stored, string source, bool headOptional = false)
    {
        CheckLayerCount(config, stored.Keys, source);
        var byCanonical = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var expected = Parameters(config, numLabels).ToDictionary(p => p.Name, p => p.Shape, StringComparer.Ordinal);
        foreach (var key in stored.Keys.Order(StringComparer.Ordinal))
        {
            var canonical = Canonical(key);
            if (canonical == PositionIdsBuffer) continue;
            if (!expected.ContainsKey(canonical))
            {
                if (!(headOptional && canonical.StartsWith("cls.", StringComparison.Ordinal))) unexpected.Add(key);
                continue;
            }
            if (!byCanonical.TryAdd(canonical, key)) unexpected.Add($"{key} (duplicate of {byCanonical[canonical]})");
        }
        var missing = expected.Keys.Where(k => !byCanonical.ContainsKey(k))
            .Where(k => !(headOptional && (k.StartsWith("classifier.", StringComparison.Ordinal) || k.StartsWith("bert.pooler.", StringComparison.Ordinal))))
            .ToList();
        var wrongShape = new List<string>();
        foreach (var (canonical, key) in byCanonical)
        {
            var info = stored[key];
            if (!info.Shape.SequenceEqual(expected[canonical]))
                wrongShape.Add($"{key}: stored {info.ShapeText}, config needs [{string.Join(", ", expected[canonical])}]");
            else if (info.DType == TensorDType.I64)
                wrongShape.Add($"{key}: stored as integers, a float tensor is needed");
        }
        if (missing.Count + unexpected.Count + wrongShape.Count == 0) return byCanonical;
        var lines = new List<string> { $"{source} does not match its config ({config.NumHiddenLayers} layers, hidden {config.HiddenSize}, {numLabels} labels):" };
        void Section(string title, List<string> items)
        {
            if (items.Count == 0) return;
            lines.Add($"  {title} ({items.Count}):");
            lines.AddRange(items.Take(20).Select(x => "    " + x));
            if (items.Count > 20) lines.Add($"    … and {items.Count - 20} more");
        }
        Section("missing", missing);
        Section("unexpected", unexpected);
        Section("wrong shape", wrongShape);
        throw new CheckpointMismatchException(string.Join("\n", lines));
    }
}
