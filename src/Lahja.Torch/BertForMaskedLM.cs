using Lahja.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Lahja.Torch;

// Module and field names mirror transformers' BertForMaskedLM (cls.predictions.transform.dense, …), so the saved keys
// load in transformers and, through --init, into Lahja's classifier (which ignores cls.*).
#pragma warning disable IDE1006 // names follow the Python modules

/// <summary><c>cls.predictions.transform</c>: dense, the configured activation, LayerNorm.</summary>
internal sealed class BertPredictionHeadTransform : Module<Tensor, Tensor>
{
    public readonly Linear dense;
    public readonly LayerNorm LayerNorm;
    private readonly string _activation;

    public BertPredictionHeadTransform(BertConfig config) : base("transform")
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        _activation = config.HiddenAct;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var projected = dense.forward(hidden);
        using var activated = BertIntermediate.Activate(_activation, projected);
        return LayerNorm.forward(activated);
    }
}

/// <summary>
/// <c>cls.predictions</c>: the transform, then the decoder, whose weight is the word embeddings (tied, as
/// transformers ties them) and whose bias is <c>cls.predictions.bias</c>.
/// </summary>
internal sealed class BertLMPredictionHead : Module<Tensor, Tensor, Tensor>
{
    public readonly BertPredictionHeadTransform transform;
    public readonly Parameter bias;

    public BertLMPredictionHead(BertConfig config) : base("predictions")
    {
        transform = new BertPredictionHeadTransform(config);
        bias = new Parameter(zeros(config.VocabSize));
        RegisterComponents();
    }

    /// <returns>Vocabulary logits for <paramref name="hidden"/> [n, hidden].</returns>
    public override Tensor forward(Tensor hidden, Tensor wordEmbeddings)
    {
        using var transformed = transform.forward(hidden);
        return functional.linear(transformed, wordEmbeddings, bias);
    }
}

/// <summary><c>cls</c>: transformers' <c>BertOnlyMLMHead</c>.</summary>
internal sealed class BertOnlyMLMHead : Module<Tensor, Tensor, Tensor>
{
    public readonly BertLMPredictionHead predictions;

    public BertOnlyMLMHead(BertConfig config) : base("cls")
    {
        predictions = new BertLMPredictionHead(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor wordEmbeddings) => predictions.forward(hidden, wordEmbeddings);
}

/// <summary>
/// Hugging Face's <c>BertForMaskedLM</c>: BERT without a pooler and the masked-language-model head, for pre-training
/// an encoder on unlabelled text before <c>lahja train --init</c> fine-tunes it.
/// </summary>
public sealed class BertForMaskedLM : Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable CS1591
    internal readonly BertModel bert;
    internal readonly BertOnlyMLMHead cls;
#pragma warning restore CS1591

    /// <summary>Creates the model, initialised as transformers initialises it (load weights with <see cref="Load"/>).</summary>
    public BertForMaskedLM(BertConfig config) : base("BertForMaskedLM")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        bert = new BertModel(config, addPoolingLayer: false);
        cls = new BertOnlyMLMHead(config);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public BertConfig Config { get; }

    /// <summary>Vocabulary logits [batch, length, vocabulary] for int64 <c>[batch, length]</c> ids, mask and token types.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var hidden = bert.Encode(inputIds, attentionMask, tokenTypeIds);
        return cls.forward(hidden, bert.embeddings.word_embeddings.weight!);
    }

    /// <summary>
    /// Vocabulary logits [positions, vocabulary] at the given flat positions (row × length + column) only: the head
    /// runs on the masked tokens, not on every token.
    /// </summary>
    internal Tensor MaskedLogits(Tensor inputIds, Tensor attentionMask, Tensor positions)
    {
        using var tokenTypes = zeros_like(inputIds);
        using var hidden = bert.Encode(inputIds, attentionMask, tokenTypes);
        using var flat = hidden.view(-1, Config.HiddenSize);
        using var masked = flat.index_select(0, positions);
        return cls.forward(masked, bert.embeddings.word_embeddings.weight!);
    }

    /// <summary>
    /// transformers' masked-language-model loss: the mean cross-entropy of the original token at each masked position
    /// (transformers marks the others -100 and ignores them, which gives the same mean).
    /// </summary>
    /// <param name="inputIds">[batch, length] ids after masking.</param>
    /// <param name="attentionMask">[batch, length].</param>
    /// <param name="positions">Flat indices of the masked positions.</param>
    /// <param name="labels">The original id at each of <paramref name="positions"/>.</param>
    internal Tensor MaskedLanguageModelLoss(Tensor inputIds, Tensor attentionMask, Tensor positions, Tensor labels)
    {
        using var logits = MaskedLogits(inputIds, attentionMask, positions);
        return functional.cross_entropy(logits, labels);
    }

    /// <summary>Initialises the parameters <paramref name="which"/> names as transformers' <c>_init_weights</c> would.</summary>
    internal void InitializeWeights(Func<string, bool> which) => BertForSequenceClassification.InitializeWeights(this, Config, which);

    /// <summary>
    /// Builds the model for <paramref name="config"/> from a checkpoint's weights: the encoder must be all there (any
    /// pooler or classifier is ignored); a stored masked-language head (CAMeLBERT's, a previous run's) is loaded, a
    /// missing one starts as transformers would start it.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The encoder's tensors do not fit the config, or a stored head tensor has the wrong shape.</exception>
    public static BertForMaskedLM Load(BertConfig config, ITensorSource tensors, string source)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        TorchRuntime.EnsureInitialized();
        // A classifier's pooler and head play no part here, whatever its label count: they are left out before matching.
        var stored = tensors.Tensors
            .Where(t => BertCheckpointLayout.Canonical(t.Key) is var name && !name.StartsWith("classifier.", StringComparison.Ordinal) && !name.StartsWith("bert.pooler.", StringComparison.Ordinal))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var encoder = BertCheckpointLayout.Match(config, config.NumLabels, stored, source, headOptional: true);
        var model = new BertForMaskedLM(config);
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                var key = encoder.TryGetValue(name, out var k) ? k : tensors.Tensors.ContainsKey(name) ? name : null;
                if (key is null) continue;
                var shape = tensors.Tensors[key].Shape;
                if (!shape.SequenceEqual(parameter.shape))
                    throw new CheckpointMismatchException($"{source}: {key} is stored as [{string.Join(", ", shape)}], the config needs [{string.Join(", ", parameter.shape)}].");
                tensors.ReadInto(key, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(parameter.bytes));
                loaded.Add(name);
            }
        }
        model.InitializeWeights(name => !loaded.Contains(name));
        return model;
    }
}
