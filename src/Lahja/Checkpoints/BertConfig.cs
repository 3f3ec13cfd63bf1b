using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lahja.Checkpoints;

/// <summary>
/// A Hugging Face <c>config.json</c> for a BERT checkpoint: every <c>BertConfig</c> field the model needs, the label
/// maps, and the rest of the file kept verbatim so writing it back loses nothing.
/// </summary>
public sealed record BertConfig
{
    /// <summary>Vocabulary size (rows of the word embedding).</summary>
    public int VocabSize { get; init; } = 30522;
    /// <summary>Hidden size.</summary>
    public int HiddenSize { get; init; } = 768;
    /// <summary>Number of encoder layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;
    /// <summary>Attention heads per layer.</summary>
    public int NumAttentionHeads { get; init; } = 12;
    /// <summary>Feed-forward inner size.</summary>
    public int IntermediateSize { get; init; } = 3072;
    /// <summary>Activation of the feed-forward layer (<c>gelu</c> is the erf form).</summary>
    public string HiddenAct { get; init; } = "gelu";
    /// <summary>Dropout on hidden states.</summary>
    public double HiddenDropoutProb { get; init; } = 0.1;
    /// <summary>Dropout on attention probabilities.</summary>
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    /// <summary>Rows of the position embedding.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;
    /// <summary>Rows of the token-type embedding.</summary>
    public int TypeVocabSize { get; init; } = 2;
    /// <summary>Standard deviation of the weight initialisation.</summary>
    public double InitializerRange { get; init; } = 0.02;
    /// <summary>LayerNorm epsilon.</summary>
    public double LayerNormEps { get; init; } = 1e-12;
    /// <summary>Id of the padding token.</summary>
    public int PadTokenId { get; init; }
    /// <summary>Position embedding type; only <c>absolute</c> is supported.</summary>
    public string PositionEmbeddingType { get; init; } = "absolute";
    /// <summary>Dropout before the classifier (null: <see cref="HiddenDropoutProb"/>).</summary>
    public double? ClassifierDropout { get; init; }
    /// <summary><c>model_type</c>, normally <c>bert</c>.</summary>
    public string ModelType { get; init; } = "bert";
    /// <summary><c>architectures</c>, e.g. <c>BertForSequenceClassification</c>.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];
    /// <summary><c>problem_type</c>, e.g. <c>multi_label_classification</c>.</summary>
    public string? ProblemType { get; init; }
    /// <summary>Output index to label name (<c>id2label</c>), ordered by index. Empty when the file has none.</summary>
    public IReadOnlyList<string> Id2Label { get; init; } = [];
    /// <summary>Fields of the file this type does not model, kept for round-tripping.</summary>
    public JsonObject Extra { get; init; } = new();

    /// <summary>The number of classifier outputs declared (<c>id2label</c> count, else <c>num_labels</c>, else 2).</summary>
    public int NumLabels => Id2Label.Count > 0 ? Id2Label.Count : 2;

    // Generous bounds (BERT-base: 30522, 768, 12, 3072, 512, 2): far above any real BERT, far below sizes that
    // exhaust memory before the weights are even read.
    private const int MaxVocabSize = 1 << 24;
    private const int MaxHiddenSize = 1 << 16;
    private const int MaxLayers = 1024;
    private const int MaxIntermediateSize = 1 << 18;
    private const int MaxPositions = 1 << 20;
    private const int MaxTypeVocabSize = 1 << 16;
    private const int MaxLabels = 1 << 16;

    private static readonly HashSet<string> Modelled =
    [
        "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act",
        "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings", "type_vocab_size",
        "initializer_range", "layer_norm_eps", "pad_token_id", "position_embedding_type", "classifier_dropout",
        "model_type", "architectures", "problem_type", "id2label", "label2id", "num_labels",
    ];

    /// <summary>Reads <c>config.json</c>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or a field has the wrong type; the message names the file and field.</exception>
    public static BertConfig Load(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllBytes(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
                   ?? throw new InvalidDataException($"{path}: the top level is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        return Parse(root, path);
    }

    /// <summary>Parses a config from its JSON object; <paramref name="source"/> names it in errors.</summary>
    public static BertConfig Parse(JsonObject root, string source)
    {
        T Get<T>(string name, T fallback)
        {
            if (!root.TryGetPropertyValue(name, out var node) || node is null) return fallback;
            try
            {
                return node.GetValue<T>();
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{source}: field \"{name}\" should be a {typeof(T).Name}, found {node.ToJsonString()}.");
            }
        }
        // Whole JSON numbers only, range-checked before any cast: 2.5 or 1e30 must not become a layer count.
        int Int(string name, int fallback, int min, int max)
        {
            if (!root.TryGetPropertyValue(name, out var node) || node is null) return fallback;
            long? whole = node is not JsonValue value ? null
                : value.TryGetValue<long>(out var parsed) ? parsed
                : value.TryGetValue<int>(out var built) ? built : null;
            if (whole is { } w && w >= min && w <= max) return (int)w;
            throw new InvalidDataException($"{source}: field \"{name}\" must be a whole number from {min} to {max}, found {node.ToJsonString()}.");
        }
        int Size(string name, int fallback, int max) => Int(name, fallback, 1, max);

        var id2label = new List<string>();
        if (root["id2label"] is JsonObject map)
        {
            var entries = new SortedDictionary<int, string>();
            foreach (var (key, value) in map)
            {
                if (!int.TryParse(key, out var index) || index < 0)
                    throw new InvalidDataException($"{source}: id2label key \"{key}\" is not a label index.");
                entries[index] = value?.GetValue<string>() ?? throw new InvalidDataException($"{source}: id2label[{key}] is null.");
            }
            if (entries.Count > 0 && (entries.Keys.First() != 0 || entries.Keys.Last() != entries.Count - 1))
                throw new InvalidDataException($"{source}: id2label indices must run from 0 to {entries.Count - 1} without gaps.");
            id2label.AddRange(entries.Values);
        }
        else if (root["num_labels"] is not null)
        {
            var count = Size("num_labels", 2, MaxLabels);
            for (var i = 0; i < count; i++) id2label.Add($"LABEL_{i}");
        }

        var extra = new JsonObject();
        foreach (var (key, value) in root)
            if (!Modelled.Contains(key)) extra[key] = value?.DeepClone();

        var config = new BertConfig
        {
            VocabSize = Size("vocab_size", 30522, MaxVocabSize),
            HiddenSize = Size("hidden_size", 768, MaxHiddenSize),
            NumHiddenLayers = Size("num_hidden_layers", 12, MaxLayers),
            NumAttentionHeads = Size("num_attention_heads", 12, MaxHiddenSize),
            IntermediateSize = Size("intermediate_size", 3072, MaxIntermediateSize),
            HiddenAct = Get("hidden_act", "gelu"),
            HiddenDropoutProb = Get("hidden_dropout_prob", 0.1),
            AttentionProbsDropoutProb = Get("attention_probs_dropout_prob", 0.1),
            MaxPositionEmbeddings = Size("max_position_embeddings", 512, MaxPositions),
            TypeVocabSize = Size("type_vocab_size", 2, MaxTypeVocabSize),
            InitializerRange = Get("initializer_range", 0.02),
            LayerNormEps = Get("layer_norm_eps", 1e-12),
            PadTokenId = Int("pad_token_id", 0, 0, MaxVocabSize - 1),
            PositionEmbeddingType = Get("position_embedding_type", "absolute"),
            ClassifierDropout = root["classifier_dropout"] is null ? null : Get("classifier_dropout", 0.0),
            ModelType = Get("model_type", "bert"),
            Architectures = root["architectures"] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").ToArray() : [],
            ProblemType = root["problem_type"] is null ? null : Get<string>("problem_type", ""),
            Id2Label = id2label,
            Extra = extra,
        };
        config.Validate(source);
        return config;
    }

    /// <summary>
    /// Checks that the architecture is one Lahja can run and that every size is in range, so no value from an
    /// untrusted config.json can drive an allocation; the message names each offending field.
    /// </summary>
    /// <exception cref="InvalidDataException">A field is out of range or unsupported.</exception>
    public void Validate(string source)
    {
        var problems = new List<string>();
        void Range(string field, long value, long min, long max)
        {
            if (value < min || value > max) problems.Add($"{field} {value} is outside the supported range {min} to {max}");
        }
        Range("vocab_size", VocabSize, 1, MaxVocabSize);
        Range("hidden_size", HiddenSize, 1, MaxHiddenSize);
        Range("num_hidden_layers", NumHiddenLayers, 1, MaxLayers);
        Range("num_attention_heads", NumAttentionHeads, 1, MaxHiddenSize);
        Range("intermediate_size", IntermediateSize, 1, MaxIntermediateSize);
        Range("max_position_embeddings", MaxPositionEmbeddings, 1, MaxPositions);
        Range("type_vocab_size", TypeVocabSize, 1, MaxTypeVocabSize);
        Range("pad_token_id", PadTokenId, 0, VocabSize - 1L);
        Range("num_labels", NumLabels, 1, MaxLabels);
        if (HiddenSize > 0 && NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads != 0)
            problems.Add($"hidden_size {HiddenSize} is not a positive multiple of num_attention_heads {NumAttentionHeads}");
        // A tensor is copied into the model through one span, whose length is an int.
        foreach (var (rows, name) in new[] { (VocabSize, "vocab_size"), (IntermediateSize, "intermediate_size"), (MaxPositionEmbeddings, "max_position_embeddings") })
            if ((long)rows * HiddenSize * sizeof(float) > int.MaxValue)
                problems.Add($"{name} {rows} × hidden_size {HiddenSize} makes a tensor over 2 GiB, more than Lahja loads");
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps))
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"layer_norm_eps {LayerNormEps} is not a positive number"));
        foreach (var (p, name) in new[] { (HiddenDropoutProb, "hidden_dropout_prob"), (AttentionProbsDropoutProb, "attention_probs_dropout_prob"), (ClassifierDropout ?? 0, "classifier_dropout") })
            if (!(p is >= 0 and <= 1)) problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {p} is not a probability from 0 to 1"));
        if (!(InitializerRange >= 0) || double.IsInfinity(InitializerRange))
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"initializer_range {InitializerRange} is not a non-negative number"));
        if (HiddenAct is not ("gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu"))
            problems.Add($"hidden_act \"{HiddenAct}\" is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)");
        if (PositionEmbeddingType != "absolute")
            problems.Add($"position_embedding_type \"{PositionEmbeddingType}\" is not supported (absolute)");
        if (problems.Count > 0)
            throw new InvalidDataException($"{source}: {string.Join("; ", problems)}.");
    }

    /// <summary>Writes the config as Hugging Face does (id2label/label2id included, unknown fields kept).</summary>
    public void Save(string path)
    {
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(Architectures.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
            ["attention_probs_dropout_prob"] = AttentionProbsDropoutProb,
            ["classifier_dropout"] = ClassifierDropout,
            ["hidden_act"] = HiddenAct,
            ["hidden_dropout_prob"] = HiddenDropoutProb,
            ["hidden_size"] = HiddenSize,
            ["id2label"] = new JsonObject(Id2Label.Select((l, i) => KeyValuePair.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)l))),
            ["initializer_range"] = InitializerRange,
            ["intermediate_size"] = IntermediateSize,
            ["label2id"] = new JsonObject(Id2Label.Select((l, i) => KeyValuePair.Create(l, (JsonNode?)i))),
            ["layer_norm_eps"] = LayerNormEps,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["model_type"] = ModelType,
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["pad_token_id"] = PadTokenId,
            ["position_embedding_type"] = PositionEmbeddingType,
            ["problem_type"] = ProblemType,
            ["type_vocab_size"] = TypeVocabSize,
            ["vocab_size"] = VocabSize,
        };
        foreach (var (key, value) in Extra)
            root[key] = value?.DeepClone();
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
