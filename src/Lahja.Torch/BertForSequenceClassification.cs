using Lahja.Checkpoints;
using Lahja.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Lahja.Torch;

// Module and field names mirror transformers' BertForSequenceClassification exactly (including "LayerNorm" and
// "self"), so state-dict keys map one to one onto Hugging Face checkpoints.
// Every Scalar handed to libtorch here is a `using` local, never an implicit conversion (`t + 1`, `add_(other)`'s alpha):
// TorchSharp finalizes a temporary Scalar once nothing managed holds it, and a collection on another thread can do that
// while libtorch still reads it (CollectionRaceTests).
#pragma warning disable IDE1006 // names follow the Python modules

/// <summary>BERT embeddings: word + position + token type, then LayerNorm and dropout.</summary>
internal sealed class BertEmbeddings : Module<Tensor, Tensor, Tensor>
{
    public readonly Embedding word_embeddings;
    public readonly Embedding position_embeddings;
    public readonly Embedding token_type_embeddings;
    public readonly LayerNorm LayerNorm;
    public readonly Dropout dropout;

    public BertEmbeddings(BertConfig config) : base("embeddings")
    {
        word_embeddings = Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        position_embeddings = Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        token_type_embeddings = Embedding(config.TypeVocabSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        var length = inputIds.shape[1];
        using var positions = tensor(Enumerable.Range(0, (int)length).Select(i => (long)i).ToArray(), [1, length], device: inputIds.device);
        using var words = word_embeddings.forward(inputIds);
        using var position = position_embeddings.forward(positions);
        using var types = token_type_embeddings.forward(tokenTypeIds);
        using var one = 1.ToScalar();
        using var partial = words.add(position, one);
        using var sum = partial.add(types, one);
        // Dropout may hand back its input in eval mode, so its input is left to the caller's dispose scope.
        var normed = LayerNorm.forward(sum);
        return dropout.forward(normed);
    }
}

/// <summary>Multi-head self-attention projections (<c>attention.self</c>).</summary>
internal sealed class BertSelfAttention : Module<Tensor, Tensor, Tensor>
{
    public readonly Linear query;
    public readonly Linear key;
    public readonly Linear value;
    public readonly Dropout dropout;
    private readonly int _heads;
    private readonly int _headSize;

    public BertSelfAttention(BertConfig config) : base("self")
    {
        _heads = config.NumAttentionHeads;
        _headSize = config.HiddenSize / config.NumAttentionHeads;
        query = Linear(config.HiddenSize, config.HiddenSize);
        key = Linear(config.HiddenSize, config.HiddenSize);
        value = Linear(config.HiddenSize, config.HiddenSize);
        dropout = Dropout(config.AttentionProbsDropoutProb);
        RegisterComponents();
    }

    /// <param name="hidden">[batch, length, hidden]</param>
    /// <param name="additiveMask">[batch, 1, 1, length]: 0 where attended, the float minimum where masked.</param>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        var batch = hidden.shape[0];
        var length = hidden.shape[1];
        Tensor Heads(Linear projection)
        {
            using var projected = projection.forward(hidden);
            return projected.view(batch, length, _heads, _headSize).permute(0, 2, 1, 3);
        }
        using var q = Heads(query);
        using var k = Heads(key);
        using var v = Heads(value);
        using var kt = k.transpose(-1, -2);
        using var scores = matmul(q, kt);
        using var scale = Math.Sqrt(_headSize).ToScalar();
        using var one = 1.ToScalar();
        scores.div_(scale);
        scores.add_(additiveMask, one);
        var probabilities = scores.softmax(-1);
        var dropped = dropout.forward(probabilities);
        using var context = matmul(dropped, v);
        using var permuted = context.permute(0, 2, 1, 3);
        return permuted.reshape(batch, length, _heads * _headSize);
    }
}

/// <summary>A dense projection, dropout, residual and LayerNorm (<c>attention.output</c> and <c>output</c>).</summary>
internal sealed class BertResidualOutput : Module<Tensor, Tensor, Tensor>
{
    public readonly Linear dense;
    public readonly LayerNorm LayerNorm;
    public readonly Dropout dropout;

    public BertResidualOutput(string name, int inputSize, BertConfig config) : base(name)
    {
        dense = Linear(inputSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input, Tensor residual)
    {
        using var projected = dense.forward(input);
        using var one = 1.ToScalar();
        var sum = dropout.forward(projected).add_(residual, one);
        return LayerNorm.forward(sum);
    }
}

/// <summary><c>attention</c>: self-attention followed by its output block.</summary>
internal sealed class BertAttention : Module<Tensor, Tensor, Tensor>
{
    public readonly BertSelfAttention self;
    public readonly BertResidualOutput output;

    public BertAttention(BertConfig config) : base("attention")
    {
        self = new BertSelfAttention(config);
        output = new BertResidualOutput("output", config.HiddenSize, config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var context = self.forward(hidden, additiveMask);
        return output.forward(context, hidden);
    }
}

/// <summary><c>intermediate</c>: the feed-forward expansion with its activation.</summary>
internal sealed class BertIntermediate : Module<Tensor, Tensor>
{
    public readonly Linear dense;
    private readonly string _activation;

    public BertIntermediate(BertConfig config) : base("intermediate")
    {
        dense = Linear(config.HiddenSize, config.IntermediateSize);
        _activation = config.HiddenAct;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var projected = dense.forward(hidden);
        return Activate(_activation, projected);
    }

    /// <summary>transformers' <c>ACT2FN[hidden_act]</c> for the activations <see cref="BertConfig"/> accepts.</summary>
    internal static Tensor Activate(string activation, Tensor input) => activation switch
    {
        "gelu" => functional.gelu(input),
        "relu" => functional.relu(input),
        // gelu_new and gelu_pytorch_tanh: the tanh approximation.
        _ => functional.gelu(input, TorchSharp.Modules.GELU.Approximate.tanh, false),
    };
}

/// <summary>One post-LN encoder layer.</summary>
internal sealed class BertLayer : Module<Tensor, Tensor, Tensor>
{
    public readonly BertAttention attention;
    public readonly BertIntermediate intermediate;
    public readonly BertResidualOutput output;

    public BertLayer(BertConfig config) : base("layer")
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertResidualOutput("output", config.IntermediateSize, config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var attended = attention.forward(hidden, additiveMask);
        using var inner = intermediate.forward(attended);
        return output.forward(inner, attended);
    }
}

/// <summary>The encoder stack (<c>encoder.layer.N</c>).</summary>
internal sealed class BertEncoder : Module<Tensor, Tensor, Tensor>
{
    public readonly ModuleList<BertLayer> layer;

    public BertEncoder(BertConfig config) : base("encoder")
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        var current = hidden.alias();
        foreach (var block in layer)
        {
            // One dispose scope per layer: only the layer's output survives, so peak memory stays near the
            // weights plus two layers' activations whatever the depth.
            using var scope = NewDisposeScope();
            var next = block.forward(current, additiveMask);
            current.Dispose();
            current = next.MoveToOuterDisposeScope();
        }
        return current;
    }
}

/// <summary><c>pooler</c>: tanh(dense(first token)).</summary>
internal sealed class BertPooler : Module<Tensor, Tensor>
{
    public readonly Linear dense;

    public BertPooler(BertConfig config) : base("pooler")
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var first = hidden.select(1, 0);
        using var projected = dense.forward(first);
        return projected.tanh();
    }
}

/// <summary><c>bert</c>: embeddings, encoder and (unless it is a masked-language model's) pooler.</summary>
internal sealed class BertModel : Module<Tensor, Tensor, Tensor, Tensor>
{
    public readonly BertEmbeddings embeddings;
    public readonly BertEncoder encoder;
    public readonly BertPooler? pooler;

    /// <param name="config">The architecture.</param>
    /// <param name="addPoolingLayer">transformers' <c>add_pooling_layer</c>: false for <c>BertForMaskedLM</c>, which has no pooler.</param>
    public BertModel(BertConfig config, bool addPoolingLayer = true) : base("bert")
    {
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        if (addPoolingLayer) pooler = new BertPooler(config);
        RegisterComponents();
    }

    /// <returns>The pooled output [batch, hidden].</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        if (pooler is null) throw new InvalidOperationException("This BERT has no pooler (a masked-language model's): use Encode.");
        using var encoded = Encode(inputIds, attentionMask, tokenTypeIds);
        return pooler.forward(encoded);
    }

    /// <returns>The last layer's hidden states [batch, length, hidden].</returns>
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        // transformers' extended attention mask: (1 - mask) * finfo(float32).min, broadcast over heads and queries.
        using var floatMask = attentionMask.to(ScalarType.Float32);
        using var one = 1.ToScalar();
        using var minimum = float.MinValue.ToScalar();
        using var inverted = floatMask.neg();
        inverted.add_(one, one); // add_(Scalar) alone would make a temporary alpha
        inverted.mul_(minimum);
        using var heads = inverted.unsqueeze(1);
        using var additive = heads.unsqueeze(1);
        using var embedded = embeddings.forward(inputIds, tokenTypeIds);
        return encoder.forward(embedded, additive);
    }
}

/// <summary>Hugging Face's <c>BertForSequenceClassification</c>: BERT, dropout, a linear classifier (logits).</summary>
public sealed class BertForSequenceClassification : Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable CS1591
    internal readonly BertModel bert;
    internal readonly Dropout dropout;
    internal readonly Linear classifier;
#pragma warning restore CS1591

    /// <summary>Creates the model (randomly initialised; load weights with <see cref="TorchCheckpoint"/>).</summary>
    public BertForSequenceClassification(BertConfig config, int numLabels) : base("BertForSequenceClassification")
    {
        Config = config;
        NumLabels = numLabels;
        bert = new BertModel(config);
        dropout = Dropout(config.ClassifierDropout ?? config.HiddenDropoutProb);
        classifier = Linear(config.HiddenSize, numLabels);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public BertConfig Config { get; }

    /// <summary>Classifier outputs.</summary>
    public int NumLabels { get; }

    /// <summary>Logits [batch, labels] for int64 <c>[batch, length]</c> ids, mask and token types.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var pooled = bert.forward(inputIds, attentionMask, tokenTypeIds);
        var dropped = dropout.forward(pooled);
        return classifier.forward(dropped);
    }

    /// <summary>Logits [batch, labels] for a padded batch, its arrays copied to <paramref name="device"/> (the model's).</summary>
    internal Tensor forward(TokenizedBatch batch, Device device)
    {
        var shape = new long[] { batch.Count, batch.SequenceLength };
        // Autograd keeps what it needs of the inputs: the handles can go now.
        using var inputIds = tensor(batch.InputIds, shape, device: device);
        using var attentionMask = tensor(batch.AttentionMask, shape, device: device);
        using var tokenTypeIds = tensor(batch.TokenTypeIds, shape, device: device);
        return forward(inputIds, attentionMask, tokenTypeIds);
    }

    /// <summary>
    /// transformers' <c>forward(labels=…)</c> for <c>multi_label_classification</c>: the mean BCE with logits against
    /// <paramref name="targets"/> (one row of <see cref="NumLabels"/> per text), each positive term weighted by
    /// <paramref name="positiveWeight"/> when given. Soft targets (a teacher's probabilities) are taken as they are:
    /// distillation is the same loss.
    /// </summary>
    internal Tensor MultiLabelLoss(TokenizedBatch batch, IReadOnlyList<float[]> targets, float? positiveWeight, Device device)
    {
        using var logits = forward(batch, device);
        using var target = tensor(targets.SelectMany(t => t).ToArray(), [targets.Count, NumLabels], device: device);
        using var weight = positiveWeight is { } w ? tensor(Enumerable.Repeat(w, NumLabels).ToArray(), device: device) : null;
        return functional.binary_cross_entropy_with_logits(logits, target, pos_weights: weight);
    }

    /// <summary>
    /// transformers' <c>BertPreTrainedModel._init_weights</c> for the parameters <paramref name="which"/> names:
    /// Linear and Embedding weights ~ N(0, initializer_range), biases 0, the padding embedding row 0, LayerNorm weight 1
    /// and bias 0 (TorchSharp's own defaults differ). Draws from libtorch's generator in parameter order.
    /// </summary>
    internal void InitializeWeights(Func<string, bool> which) => InitializeWeights(this, Config, which);

    /// <summary>
    /// <c>_init_weights</c> for the parameters of <paramref name="model"/> (a BERT with its head) that
    /// <paramref name="which"/> names: shared by the classifier and the masked-language model.
    /// </summary>
    internal static void InitializeWeights(Module model, BertConfig config, Func<string, bool> which)
    {
        using var noGrad = no_grad();
        using var one = 1.ToScalar();
        Tensor? words = null;
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name == "bert.embeddings.word_embeddings.weight") words = parameter;
            if (!which(name)) continue;
            if (name.Contains("LayerNorm", StringComparison.Ordinal)) _ = name.EndsWith(".weight", StringComparison.Ordinal) ? parameter.fill_(one) : parameter.zero_();
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else parameter.normal_(0, config.InitializerRange);
        }
        if (words is not null && which("bert.embeddings.word_embeddings.weight"))
            words[config.PadTokenId].zero_();
    }
}
