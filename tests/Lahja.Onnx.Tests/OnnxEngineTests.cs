using Google.Protobuf;
using Lahja.Checkpoints;
using Onnx;

namespace Lahja.Onnx.Tests;

/// <summary>The ONNX engine's loading paths, bad inputs and concurrency.</summary>
public class OnnxEngineTests
{
    private static DialectIdentifierOptions Options(OnnxPrecision precision = OnnxPrecision.Fp32) =>
        new() { Preprocessing = "none", BatchSize = 16, Engine = new OnnxEngineFactory(precision) };

    [Theory]
    [InlineData("hidden_act", "silu")]
    [InlineData("model_type", "roberta")]
    public void Unsupported_config_is_refused_naming_the_field(string field, string value)
    {
        var config = BertConfig.Load(Path.Combine(ModelFixtures.Checkpoint("f32"), "config.json"));
        config = field == "hidden_act" ? config with { HiddenAct = value } : config with { ModelType = value };
        var error = Assert.Throws<NotSupportedException>(() => BertOnnxGraph.EnsureSupported(config, "config.json"));
        Assert.Contains(field, error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void Exported_file_gives_the_in_memory_probabilities()
    {
        using var work = new TemporaryDirectory();
        var source = ModelFixtures.Checkpoint("f32");
        foreach (var file in new[] { "config.json", "vocab.txt" }) File.Copy(Path.Combine(source, file), work.Sub(file));
        var config = CheckpointFiles.LoadConfig(source);
        foreach (var precision in new[] { OnnxPrecision.Fp32, OnnxPrecision.Int8 })
        {
            using (var tensors = CheckpointFiles.OpenWeights(source))
                File.WriteAllBytes(work.Sub(OnnxDialectEngine.ModelFile), BertOnnxGraph.Build(config, config.NumLabels, tensors, source, precision).ToFileBytes());
            using var inMemory = DialectIdentifier.Load(source, Options(precision));
            using var fromFile = DialectIdentifier.Load(work.Path, Options());
            var expected = inMemory.Predict(ModelFixtures.Texts);
            var actual = fromFile.Predict(ModelFixtures.Texts);
            for (var i = 0; i < expected.Count; i++)
                Assert.Equal(expected[i].Probabilities, actual[i].Probabilities);
        }
    }

    [Fact]
    public void Int8_graph_allocates_no_float_copy_of_the_weights_it_quantizes()
    {
        // A float array per quantized weight, dropped right after quantizing, was garbage the size of the whole encoder
        // at load time: BERT-base's int8 load peaked at 554 MiB of RSS instead of 344 (docs/benchmarks.md).
        using var work = new TemporaryDirectory();
        var config = CheckpointFiles.LoadConfig(ModelFixtures.Checkpoint("f32")) with
        {
            HiddenSize = 64,
            NumAttentionHeads = 4,
            IntermediateSize = 256,
            NumHiddenLayers = 4,
            VocabSize = 16,
            MaxPositionEmbeddings = 16,
        };
        var random = new Random(7);
        var parameters = BertCheckpointLayout.Parameters(config, config.NumLabels);
        SafeTensorsFile.Write(work.Sub("model.safetensors"), parameters.Select(p =>
            (p.Name, p.Shape, Enumerable.Range(0, (int)p.Shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())));
        var quantizedFloatBytes = parameters.Where(p => p.Name.StartsWith("bert.encoder.", StringComparison.Ordinal) && p.Shape.Length == 2)
            .Sum(p => p.Shape[0] * p.Shape[1] * sizeof(float));
        using var tensors = SafeTensorsFile.Open(work.Sub("model.safetensors"));
        BertOnnxGraph.Build(config, config.NumLabels, tensors, work.Path, OnnxPrecision.Int8); // warm-up: first-call allocations
        var before = GC.GetAllocatedBytesForCurrentThread();
        var graph = BertOnnxGraph.Build(config, config.NumLabels, tensors, work.Path, OnnxPrecision.Int8);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // What the graph must hold (int8 weights and scales, the float weights it keeps) and one reused read buffer of
        // the largest matrix, plus the graph's protobuf: all of it is less than a float copy of the quantized weights.
        Assert.True(allocated < quantizedFloatBytes, $"Building the int8 graph allocated {allocated:N0} bytes; the float weights it quantizes are {quantizedFloatBytes:N0} (the graph holds {graph.WeightBytes:N0}).");
    }

    [Fact]
    public void Corrupt_model_file_is_a_clear_error()
    {
        using var work = new TemporaryDirectory();
        File.WriteAllBytes(work.Sub("model.onnx"), "not an onnx model"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => OnnxDialectEngine.LoadFile(work.Sub("model.onnx"), 18));
        Assert.Contains("model.onnx", error.Message);
        Assert.Contains("not a loadable ONNX model", error.Message);
    }

    [Fact]
    public void Foreign_model_file_is_a_clear_error()
    {
        using var work = new TemporaryDirectory();
        var graph = new GraphProto { Name = "identity" };
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        graph.Input.Add(OnnxGraphBuilder.Value("x", TensorProto.Types.DataType.Float, "n"));
        graph.Output.Add(OnnxGraphBuilder.Value("y", TensorProto.Types.DataType.Float, "n"));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        File.WriteAllBytes(work.Sub("model.onnx"), model.ToByteArray());
        var error = Assert.Throws<InvalidDataException>(() => OnnxDialectEngine.LoadFile(work.Sub("model.onnx"), 18));
        Assert.Contains("is not a Lahja model", error.Message);
        Assert.Contains("input_ids", error.Message);
    }

    [Fact]
    public void Concurrent_calls_give_the_sequential_results()
    {
        using var identifier = DialectIdentifier.Load(ModelFixtures.Checkpoint("f32"), Options() with { Threads = 1 });
        var texts = ModelFixtures.Texts;
        var sequential = identifier.Predict(texts);
        var parallel = new IReadOnlyList<DialectPrediction>[4];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = identifier.Predict(texts));
        foreach (var run in parallel)
            for (var i = 0; i < texts.Count; i++)
                Assert.Equal(sequential[i].Probabilities, run[i].Probabilities);
    }
}

/// <summary>An exported model.onnx in another ONNX runtime: onnxruntime-node (tools/reference/onnx_predict.mjs).</summary>
public class OnnxExportNodeTests
{
    [Fact]
    public void Exported_model_gives_pytorch_probabilities_in_onnxruntime_node()
    {
        var node = ReferenceTools.Node;
        Assert.SkipWhen(node is null, "Node or tools/reference/node_modules is missing (npm ci in tools/reference).");
        using var work = new TemporaryDirectory();
        var model = OnnxExport.Export(ModelFixtures.Checkpoint("f32"), work.Path, OnnxPrecision.Fp32);
        Assert.True(File.Exists(work.Sub("config.json")) && File.Exists(work.Sub("vocab.txt")));
        var output = ReferenceTools.Run(node!, "onnx_predict.mjs", model, Path.Combine(ModelFixtures.Directory, "parity-ids.jsonl"));
        var actual = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonSerializer.Deserialize<float[]>(l)!).ToList();
        var expected = ModelFixtures.Probabilities("f32");
        Assert.Equal(expected.Count, actual.Count);
        var worst = actual.Zip(expected).Max(p => p.First.Zip(p.Second).Max(x => Math.Abs(x.First - x.Second)));
        TestContext.Current.TestOutputHelper?.WriteLine($"onnxruntime-node vs PyTorch: max |Δp| = {worst:E2}");
        Assert.True(worst <= 1e-5, $"max |Δp| = {worst:E2}");
    }
}
