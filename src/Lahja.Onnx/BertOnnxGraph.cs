using Lahja.Checkpoints;
using Onnx;
using static Lahja.Onnx.OnnxGraphBuilder;

namespace Lahja.Onnx;

/// <summary>
/// Writes Hugging Face's <c>BertForSequenceClassification</c> (inference: no dropout) as an ONNX graph, opset 17,
/// with sigmoid probabilities as output: inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>
/// (int64, <c>[batch, sequence]</c>), outputs <c>logits</c> and <c>probabilities</c> (<c>[batch, labels]</c>).
/// The computation follows transformers' eager BERT step by step (extended mask <c>(1 - mask) × float32 min</c>,
/// scores divided by √head size, erf GELU), so fp32 results agree with PyTorch up to float rounding.
/// </summary>
public sealed class BertOnnxGraph
{
    /// <summary>ONNX operator set the graph uses (LayerNormalization needs 17).</summary>
    public const int OpsetVersion = 17;

    /// <summary>Name of the probabilities output.</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>The three int64 inputs, in order.</summary>
    public static readonly IReadOnlyList<string> InputNames = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly OnnxGraphBuilder _builder;

    private BertOnnxGraph(OnnxGraphBuilder builder, ModelProto model, int numLabels, OnnxPrecision precision)
    {
        _builder = builder;
        Model = model;
        NumLabels = numLabels;
        Precision = precision;
    }

    internal ModelProto Model { get; }

    internal IReadOnlyList<WeightTensor> Weights => _builder.Weights;

    /// <summary>Classifier outputs.</summary>
    public int NumLabels { get; }

    /// <summary>The precision written.</summary>
    public OnnxPrecision Precision { get; }

    /// <summary>Bytes of weight data the graph holds (what the session keeps in memory).</summary>
    public long WeightBytes => _builder.Weights.Sum(w => w.ByteCount);

    /// <summary>
    /// Checks that the writer supports <paramref name="config"/> before any weight is read; the message names the field.
    /// </summary>
    /// <exception cref="NotSupportedException">A field has a value the graph writer does not implement.</exception>
    public static void EnsureSupported(BertConfig config, string source)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.PositionEmbeddingType != "absolute")
            throw new NotSupportedException($"{source}: position_embedding_type \"{config.PositionEmbeddingType}\" is not supported by the ONNX engine (absolute).");
        if (config.HiddenAct is not ("gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu"))
            throw new NotSupportedException($"{source}: hidden_act \"{config.HiddenAct}\" is not supported by the ONNX engine (gelu, gelu_new, gelu_pytorch_tanh, relu).");
        if (config.ModelType is not "bert")
            throw new NotSupportedException($"{source}: model_type \"{config.ModelType}\" is not supported by the ONNX engine (bert).");
    }

    /// <summary>
    /// Reads every parameter from <paramref name="tensors"/> (checked against the config first) and writes the graph.
    /// Weights stay in managed arrays owned by the result (int8: quantized copies; the float originals are dropped).
    /// </summary>
    public static BertOnnxGraph Build(BertConfig config, int numLabels, ITensorSource tensors, string source, OnnxPrecision precision = OnnxPrecision.Fp32, int weightBits = 8)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        EnsureSupported(config, source);
        if (weightBits is < 2 or > 8) throw new ArgumentOutOfRangeException(nameof(weightBits), weightBits, "Weight bits must be between 2 and 8.");
        var map = BertCheckpointLayout.Match(config, numLabels, tensors.Tensors, source);
        var shapes = BertCheckpointLayout.Parameters(config, numLabels).ToDictionary(p => p.Name, p => p.Shape, StringComparer.Ordinal);
        var b = new OnnxGraphBuilder();
        float[] Read(string name)
        {
            var data = OnnxGraphBuilder.Allocate<float>(shapes[name].Aggregate(1L, (x, y) => x * y));
            tensors.ReadInto(map[name], data);
            return data;
        }
        string W(string name) => b.Weight(name, shapes[name], Read(name));

        long h = config.HiddenSize, heads = config.NumAttentionHeads, headSize = h / heads;
        b.Graph.Input.Add(Value("input_ids", TensorProto.Types.DataType.Int64, "batch", "sequence"));
        b.Graph.Input.Add(Value("attention_mask", TensorProto.Types.DataType.Int64, "batch", "sequence"));
        b.Graph.Input.Add(Value("token_type_ids", TensorProto.Types.DataType.Int64, "batch", "sequence"));

        // Shapes: [batch, sequence] and the sequence length alone, from the ids.
        var idsShape = b.Node("Shape", ["input_ids"]);
        var length = b.Node("Shape", ["input_ids"], Int("start", 1), Int("end", 2));
        var zero = b.ConstantInt64("const_zero_1d", [0], 1);
        var axis0 = b.ConstantInt64("const_axis0", [0], 1);
        var headShape = b.Node("Concat", [idsShape, b.ConstantInt64("const_heads", [heads, headSize], 2)], Int("axis", 0));
        var hiddenShape3 = b.Node("Concat", [idsShape, b.ConstantInt64("const_hidden", [h], 1)], Int("axis", 0));
        var flat = b.ConstantInt64("const_flat", [-1, h], 2);

        // Embeddings: words + positions 0..L-1 + token types, LayerNorm.
        var words = b.Node("Gather", [W("bert.embeddings.word_embeddings.weight"), "input_ids"], Int("axis", 0));
        var positions = b.Node("Slice", [W("bert.embeddings.position_embeddings.weight"), zero, length, axis0]);
        var types = b.Node("Gather", [W("bert.embeddings.token_type_embeddings.weight"), "token_type_ids"], Int("axis", 0));
        var summed = b.Node("Add", [b.Node("Add", [words, positions]), types]);
        var embedded = LayerNorm(b, summed, W("bert.embeddings.LayerNorm.weight"), W("bert.embeddings.LayerNorm.bias"), config.LayerNormEps);
        var hidden = b.Node("Reshape", [embedded, flat]);

        // transformers' extended attention mask: (1 - mask) * finfo(float32).min, as [batch, 1, 1, sequence].
        var maskFloat = b.Node("Cast", ["attention_mask"], Int("to", (long)TensorProto.Types.DataType.Float));
        var inverted = b.Node("Sub", [b.ConstantFloat("const_one", [1f]), maskFloat]);
        var additive = b.Node("Mul", [inverted, b.ConstantFloat("const_float_min", [float.MinValue])]);
        var mask4 = b.Node("Unsqueeze", [additive, b.ConstantInt64("const_mask_axes", [1, 2], 2)]);
        var scale = b.ConstantFloat("const_sqrt_head", [MathF.Sqrt(headSize)]);
        var quantizer = precision == OnnxPrecision.Int8 ? new Int8Linear(b, weightBits) : null;

        // int8: each float weight is read into one reused buffer and only its quantized copy is kept; a new array per
        // weight left the whole float checkpoint as garbage at load time (BERT-base int8 load peak: docs/benchmarks.md).
        float[] scratch = [];
        ReadOnlySpan<float> ReadScratch(string name)
        {
            var length = (int)shapes[name].Aggregate(1L, (x, y) => x * y);
            if (scratch.Length < length) scratch = new float[length];
            var span = scratch.AsSpan(0, length);
            tensors.ReadInto(map[name], span);
            return span;
        }
        string Dense(string input, string prefix) => quantizer is not null
            ? quantizer.Apply(input, prefix, shapes[prefix + ".weight"], ReadScratch(prefix + ".weight"), W(prefix + ".bias"))
            : b.Node("Gemm", [input, W(prefix + ".weight"), W(prefix + ".bias")], Int("transB", 1));

        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            var p = $"bert.encoder.layer.{layer}.";
            string Heads(string projection, params long[] perm) => b.Node("Transpose", [b.Node("Reshape", [projection, headShape])], Ints("perm", perm));
            var q = Heads(Dense(hidden, p + "attention.self.query"), 0, 2, 1, 3);
            var kT = Heads(Dense(hidden, p + "attention.self.key"), 0, 2, 3, 1);
            var v = Heads(Dense(hidden, p + "attention.self.value"), 0, 2, 1, 3);
            var scores = b.Node("Add", [b.Node("Div", [b.Node("MatMul", [q, kT]), scale]), mask4]);
            var attention = b.Node("Softmax", [scores], Int("axis", -1));
            var context = b.Node("Transpose", [b.Node("MatMul", [attention, v])], Ints("perm", 0, 2, 1, 3));
            var context2d = b.Node("Reshape", [context, flat]);
            var attended = LayerNorm(b, b.Node("Add", [Dense(context2d, p + "attention.output.dense"), hidden]),
                W(p + "attention.output.LayerNorm.weight"), W(p + "attention.output.LayerNorm.bias"), config.LayerNormEps);
            var inner = Activation(b, Dense(attended, p + "intermediate.dense"), config.HiddenAct);
            hidden = LayerNorm(b, b.Node("Add", [Dense(inner, p + "output.dense"), attended]),
                W(p + "output.LayerNorm.weight"), W(p + "output.LayerNorm.bias"), config.LayerNormEps);
        }

        // Pooler: tanh(dense(first token)); classifier; sigmoid.
        var first = b.Node("Gather", [b.Node("Reshape", [hidden, hiddenShape3]), b.ConstantInt64("const_first", [0])], Int("axis", 1));
        var pooled = b.Node("Tanh", [b.Node("Gemm", [first, W("bert.pooler.dense.weight"), W("bert.pooler.dense.bias")], Int("transB", 1))]);
        b.Node("Gemm", [pooled, W("classifier.weight"), W("classifier.bias")], 1, ["logits"], Int("transB", 1));
        b.Node("Sigmoid", ["logits"], 1, [ProbabilitiesOutput]);
        b.Graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, "batch", numLabels));
        b.Graph.Output.Add(Value(ProbabilitiesOutput, TensorProto.Types.DataType.Float, "batch", numLabels));

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Lahja",
            ProducerVersion = typeof(BertOnnxGraph).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = b.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "lahja.precision", Value = precision == OnnxPrecision.Int8 ? $"int8 (weights {weightBits}-bit)" : "fp32" });
        return new BertOnnxGraph(b, model, numLabels, precision);
    }

    /// <summary>The model as a self-contained ONNX file's bytes (weights embedded).</summary>
    public byte[] ToFileBytes()
    {
        var copy = Model.Clone();
        OnnxGraphBuilder.EmbedWeights(copy.Graph, _builder.Weights);
        return Google.Protobuf.MessageExtensions.ToByteArray(copy);
    }

    /// <summary>The graph with the weights left out (placeholders the session fills from memory).</summary>
    internal byte[] ToSessionBytes() => Google.Protobuf.MessageExtensions.ToByteArray(Model);

    private static string LayerNorm(OnnxGraphBuilder b, string input, string scale, string bias, double epsilon) =>
        b.Node("LayerNormalization", [input, scale, bias], Int("axis", -1), Float("epsilon", (float)epsilon));

    private static string Activation(OnnxGraphBuilder b, string x, string name)
    {
        switch (name)
        {
            case "relu":
                return b.Node("Relu", [x]);
            case "gelu":
            {
                // torch's exact GELU: x * 0.5 * (1 + erf(x / √2)) (the order ONNX Runtime's GELU fusion recognises).
                var erf = b.Node("Erf", [b.Node("Div", [x, b.ConstantFloat($"const_sqrt2_{x}", [MathF.Sqrt(2f)])])]);
                var onePlus = b.Node("Add", [erf, b.ConstantFloat($"const_one_{x}", [1f])]);
                return b.Node("Mul", [b.Node("Mul", [x, onePlus]), b.ConstantFloat($"const_half_{x}", [0.5f])]);
            }
            default:
            {
                // gelu_new / gelu_pytorch_tanh: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
                var cube = b.Node("Mul", [b.Node("Mul", [x, x]), x]);
                var inner = b.Node("Add", [x, b.Node("Mul", [cube, b.ConstantFloat($"const_c_{x}", [0.044715f])])]);
                var tanh = b.Node("Tanh", [b.Node("Mul", [inner, b.ConstantFloat($"const_k_{x}", [MathF.Sqrt(2f / MathF.PI)])])]);
                var onePlus = b.Node("Add", [tanh, b.ConstantFloat($"const_one_{x}", [1f])]);
                return b.Node("Mul", [b.Node("Mul", [x, onePlus]), b.ConstantFloat($"const_half_{x}", [0.5f])]);
            }
        }
    }
}
