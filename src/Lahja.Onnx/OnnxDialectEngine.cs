using Lahja.Checkpoints;
using Lahja.Text;
using Microsoft.ML.OnnxRuntime;

namespace Lahja.Onnx;

/// <summary>
/// Runs Lahja's BERT on ONNX Runtime (CPU). The graph is written in memory from the checkpoint
/// (<see cref="BertOnnxGraph"/>) and its weights are handed to the session as OrtValues over the engine's own
/// arrays, so they are held once; or an exported <c>model.onnx</c> is loaded. Thread-safe: ONNX Runtime sessions
/// accept concurrent runs.
/// </summary>
public sealed class OnnxDialectEngine : IDialectEngine
{
    /// <summary>An exported model's file name (<c>lahja export</c>).</summary>
    public const string ModelFile = "model.onnx";

    private readonly InferenceSession _session;
    private readonly List<OrtValue> _initializers;
    private readonly RunOptions _runOptions = new();

    private OnnxDialectEngine(InferenceSession session, List<OrtValue> initializers, int numLabels, OnnxPrecision precision, long weightBytes)
    {
        _session = session;
        _initializers = initializers;
        NumLabels = numLabels;
        Precision = precision;
        WeightBytes = weightBytes;
    }

    /// <inheritdoc />
    public int NumLabels { get; }

    /// <summary>The precision the graph runs in.</summary>
    public OnnxPrecision Precision { get; }

    /// <summary>Bytes of weights the engine holds.</summary>
    public long WeightBytes { get; }

    /// <summary>
    /// Loads <paramref name="directory"/>: its safetensors or <c>pytorch_model.bin</c> weights (the graph written for
    /// <paramref name="config"/>), else an exported <c>model.onnx</c> (which must have Lahja's inputs and outputs).
    /// </summary>
    /// <exception cref="NotSupportedException">The config has a field the graph writer does not support.</exception>
    /// <exception cref="InvalidDataException">The weights or <c>model.onnx</c> are unreadable or do not fit.</exception>
    /// <exception cref="OnnxRuntimeUnavailableException">ONNX Runtime's native library cannot be loaded.</exception>
    public static OnnxDialectEngine Load(string directory, BertConfig config, OnnxPrecision precision = OnnxPrecision.Fp32, int? threads = null, int weightBits = OnnxEngineFactory.DefaultWeightBits, OnnxDevice device = OnnxDevice.Cpu)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(config);
        BertOnnxGraph.EnsureSupported(config, Path.Combine(directory, CheckpointFiles.Config));
        var onnxPath = Path.Combine(directory, ModelFile);
        using var tensors = OpenWeights(directory);
        if (tensors is null)
        {
            if (!File.Exists(onnxPath))
                throw new FileNotFoundException($"'{directory}' has no weights: expected {CheckpointFiles.SafeTensors}, {CheckpointFiles.SafeTensorsIndex}, {CheckpointFiles.PyTorchBin} or {ModelFile}.");
            return LoadFile(onnxPath, config.NumLabels, threads, device);
        }
        var graph = BertOnnxGraph.Build(config, config.NumLabels, tensors, directory, precision, weightBits);
        tensors.Dispose();
        return FromGraph(graph, threads, device);
    }

    /// <summary>A session over a written graph, its weights used in place.</summary>
    public static OnnxDialectEngine FromGraph(BertOnnxGraph graph, int? threads = null, OnnxDevice device = OnnxDevice.Cpu)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var values = new List<OrtValue>();
        using var options = NewOptions(threads, prepack: graph.Precision == OnnxPrecision.Int8, device);
        try
        {
            foreach (var weight in graph.Weights)
            {
                var value = weight.Data switch
                {
                    float[] f => OrtValue.CreateTensorValueFromMemory(f, weight.Shape),
                    sbyte[] s => OrtValue.CreateTensorValueFromMemory(s, weight.Shape),
                    _ => throw new InvalidOperationException($"Unsupported initializer type {weight.Data.GetType()}."),
                };
                values.Add(value);
                options.AddInitializer(weight.Name, value);
            }
            var placeholder = Directory.CreateTempSubdirectory("lahja-onnx-");
            try
            {
                using (var file = File.Create(Path.Combine(placeholder.FullName, OnnxGraphBuilder.InMemoryLocation)))
                    file.SetLength(graph.Weights.Max(w => w.ByteCount));
                options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", placeholder.FullName);
                var session = new InferenceSession(graph.ToSessionBytes(), options);
                return new OnnxDialectEngine(session, values, graph.NumLabels, graph.Precision, graph.WeightBytes);
            }
            finally
            {
                placeholder.Delete(true);
            }
        }
        catch
        {
            foreach (var v in values) v.Dispose();
            throw;
        }
    }

    /// <summary>Loads an ONNX file with Lahja's inputs and a <c>probabilities</c> output of <paramref name="numLabels"/> columns.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model, or not one of Lahja's.</exception>
    public static OnnxDialectEngine LoadFile(string path, int numLabels, int? threads = null, OnnxDevice device = OnnxDevice.Cpu)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var options = NewOptions(threads, prepack: true, device);
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{path}: not a loadable ONNX model ({e.Message.Trim()}).", e);
        }
        var problems = new List<string>();
        foreach (var input in BertOnnxGraph.InputNames)
            if (!session.InputMetadata.TryGetValue(input, out var meta) || meta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 || meta.Dimensions.Length != 2)
                problems.Add($"input \"{input}\" (int64, [batch, sequence]) is missing or has another type");
        if (session.InputMetadata.Count != BertOnnxGraph.InputNames.Count)
            problems.Add($"it has {session.InputMetadata.Count} inputs, Lahja's graphs have {BertOnnxGraph.InputNames.Count}");
        if (!session.OutputMetadata.TryGetValue(BertOnnxGraph.ProbabilitiesOutput, out var output) || output.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float
            || output.Dimensions.Length != 2 || output.Dimensions[1] != numLabels)
            problems.Add($"output \"{BertOnnxGraph.ProbabilitiesOutput}\" (float, [batch, {numLabels}]) is missing or has another type or width");
        if (problems.Count > 0)
        {
            session.Dispose();
            throw new InvalidDataException($"{path} is not a Lahja model for this config: {string.Join("; ", problems)}.");
        }
        var precision = session.ModelMetadata.CustomMetadataMap.TryGetValue("lahja.precision", out var p) && p.StartsWith("int8", StringComparison.Ordinal) ? OnnxPrecision.Int8 : OnnxPrecision.Fp32;
        return new OnnxDialectEngine(session, [], numLabels, precision, new FileInfo(path).Length);
    }

    /// <inheritdoc />
    public float[] PredictProbabilities(TokenizedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return [];
        long[] shape = [batch.Count, batch.SequenceLength];
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        using var outputs = _session.Run(_runOptions, BertOnnxGraph.InputNames, [ids, mask, types], [BertOnnxGraph.ProbabilitiesOutput]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static ITensorSource? OpenWeights(string directory) =>
        CheckpointFiles.HasWeights(directory) ? CheckpointFiles.OpenWeights(directory) : null;

    private static SessionOptions NewOptions(int? threads, bool prepack, OnnxDevice device)
    {
        SessionOptions options;
        try
        {
            options = new SessionOptions();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            throw new OnnxRuntimeUnavailableException(e);
        }
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
        options.InterOpNumThreads = 1;
        // fp32: no pre-packed copies of the dense weights, which would hold every Gemm weight twice (BERT-base peak
        // RSS 919 MiB with, 591 MiB without, for 416 MiB of weights; docs/benchmarks.md). int8 keeps them: its packed
        // copies are a quarter of the size and feed the quantized kernels.
        if (!prepack) options.AddSessionConfigEntry("session.disable_prepacking", "1");
        // No memory patterns: they plan one block per input shape, and with a new shape almost every pass the arena
        // fragments. Off, BERT-base with a 512-token budget per pass peaks at 527 MiB instead of 556; same speed
        // (docs/benchmarks.md, "Peak RSS").
        options.EnableMemoryPattern = false;
        if (threads is { } n) options.IntraOpNumThreads = n;
        if (device == OnnxDevice.Cuda) AddCuda(options, device);
        return options;
    }

    private static void AddCuda(SessionOptions options, OnnxDevice device)
    {
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            // No TF32: its 10-bit mantissa would move probabilities far beyond the 1e-5 kept against PyTorch's fp32.
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = "0", ["use_tf32"] = "0" });
            options.AppendExecutionProvider_CUDA(cuda);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            // The CPU package has no CUDA provider; the GPU package without CUDA libraries or a GPU fails the same way.
            options.Dispose();
            throw new OnnxDeviceUnavailableException(device, e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        foreach (var value in _initializers) value.Dispose();
    }
}
