using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja;

/// <summary>Settings of a <see cref="DialectIdentifier"/>.</summary>
public sealed record DialectIdentifierOptions
{
    /// <summary>B2BERT's decision threshold (<see cref="DecisionRule.DefaultThreshold"/>).</summary>
    public const float DefaultThreshold = DecisionRule.DefaultThreshold;

    /// <summary>
    /// A dialect is predicted when its probability is at or above this. Null: the checkpoint's <c>lahja.json</c>
    /// (tuned thresholds), else 0.3.
    /// </summary>
    public float? Threshold { get; init; }

    /// <summary>
    /// Per-dialect thresholds that replace <see cref="Threshold"/> for the dialects they name. Null: those of the
    /// checkpoint's <c>lahja.json</c>, if any.
    /// </summary>
    public IReadOnlyDictionary<Dialect, float>? DialectThresholds { get; init; }

    /// <summary>
    /// A dialect is predicted only when its probability is also at least this fraction of the most probable dialect's
    /// (with <see cref="Threshold"/> 0, "every dialect within r × the top": the rule the char n-gram yardstick and the
    /// bundled model use). Null: the checkpoint's <c>lahja.json</c>, else 0 (off).
    /// </summary>
    public float? RelativeThreshold { get; init; }

    /// <summary>
    /// Maximum sequence length in tokens, [CLS] and [SEP] included. Null: the checkpoint's own limit
    /// (<see cref="DefaultMaxLengthFor"/>: 128, or less where the checkpoint declares less).
    /// </summary>
    public int? MaxLength { get; init; }

    /// <summary>
    /// The length a checkpoint runs at when <see cref="MaxLength"/> is null: B2BERT's 128 (its published inference), or
    /// less where the checkpoint declares less, in <c>tokenizer_config.json</c>'s <c>model_max_length</c> (the length a
    /// model was trained at: Lahja's trainer writes it, and Hugging Face tokenizers truncate to it) or
    /// <c>config.json</c>'s <c>max_position_embeddings</c>. Longer input would reach position embeddings that training
    /// never updated. <paramref name="config"/> null: the tokenizer files alone (<c>lahja tokenize</c>).
    /// </summary>
    public static int DefaultMaxLengthFor(BertConfig? config, BertTokenizerSettings tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var limit = Math.Min(BertTokenizer.DefaultMaxLength, config?.MaxPositionEmbeddings ?? int.MaxValue);
        if (tokenizer.ModelMaxLength is { } declared) limit = Math.Min(limit, declared);
        return Math.Max(limit, 2); // [CLS] and [SEP]
    }

    /// <summary>Texts per forward pass (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// The default token budget of a pass: on a CPU as fast as no budget (docs/benchmarks.md: BERT-base, 1,000 NADI
    /// 2024 test sentences), and it keeps the process's peak memory near the weights' size (1.27× instead of 1.41×).
    /// </summary>
    public const int DefaultMaxBatchTokens = 512;

    /// <summary>
    /// Most padded tokens in a forward pass (texts × the longest text's tokens; default
    /// <see cref="DefaultMaxBatchTokens"/>); null: no budget, passes of <see cref="BatchSize"/> texts whatever their
    /// lengths. It bounds the activations' memory whatever the texts' lengths; a text longer than the budget runs
    /// alone. A GPU runs larger passes faster: raise it there.
    /// </summary>
    public int? MaxBatchTokens { get; init; } = DefaultMaxBatchTokens;

    /// <summary>Preprocessing preset applied before tokenizing (default <c>b2bert</c>; <c>none</c> = the model card snippet).</summary>
    public string Preprocessing { get; init; } = TextPreprocessor.B2BertPresetName;

    /// <summary>How many top dialects each prediction lists in <see cref="DialectPrediction.Top"/> (default 3).</summary>
    public int TopK { get; init; } = 3;

    /// <summary>
    /// Batch texts of similar token length together (default true): less padding, same results up to float rounding.
    /// Off, batches follow input order (for measurements).
    /// </summary>
    public bool SortByLength { get; init; } = true;

    /// <summary>Intra-op threads of the engine (null: the engine's default).</summary>
    public int? Threads { get; init; }

    /// <summary>Tokenizer overrides (for example <c>do_lower_case</c>); null follows the checkpoint's files.</summary>
    public BertTokenizerOptions? Tokenizer { get; init; }

    /// <summary>
    /// The engine to run the model with (required by <see cref="DialectIdentifier.Load"/>): Lahja.Onnx's
    /// <c>OnnxEngineFactory</c>, or Lahja.Torch's <c>TorchEngineFactory</c>.
    /// </summary>
    public IDialectEngineFactory? Engine { get; init; }

    /// <summary>
    /// The decision rule these options give: <see cref="Threshold"/> (else 0.3), <see cref="DialectThresholds"/> and
    /// <see cref="RelativeThreshold"/> (else 0). After <see cref="DialectIdentifier.Load"/>, the one in
    /// <see cref="DialectIdentifier.Rule"/> includes the checkpoint's <c>lahja.json</c>.
    /// </summary>
    public DecisionRule Rule => new()
    {
        Threshold = Threshold ?? DecisionRule.DefaultThreshold,
        DialectThresholds = DialectThresholds,
        RelativeThreshold = RelativeThreshold ?? 0,
    };

    /// <summary>The predicted dialects for 18 probabilities (canonical order), by <see cref="Rule"/>.</summary>
    public bool[] Decide(IReadOnlyList<float> probabilities) => Rule.Decide(probabilities);

    internal void Validate()
    {
        Rule.Validate();
        if (MaxLength is < 2) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "The maximum length must be at least 2 ([CLS] and [SEP]).");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be at least 1.");
        if (MaxBatchTokens is < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchTokens), MaxBatchTokens, "The token budget of a pass must be at least 1.");
        if (TopK is < 0 or > Dialects.Count) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"top-k must be between 0 and {Dialects.Count}.");
        if (Threads is < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be at least 1.");
        TextPreprocessor.FromPreset(Preprocessing);
    }
}
