using Lahja.Checkpoints;

namespace Lahja.Onnx;

/// <summary>
/// Writes a checkpoint as a self-contained ONNX model (<c>model.onnx</c>, weights embedded) with its config, tokenizer
/// and Lahja settings beside it, loadable by other ONNX runtimes and by <see cref="OnnxDialectEngine"/>.
/// </summary>
public static class OnnxExport
{
    /// <summary>Files copied beside the model when the checkpoint has them.</summary>
    public static readonly IReadOnlyList<string> CompanionFiles =
        [CheckpointFiles.Config, "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", LahjaSettingsFileName];

    private const string LahjaSettingsFileName = "lahja.json";

    /// <summary>
    /// Exports <paramref name="modelDirectory"/> into <paramref name="outputDirectory"/> (created if needed); every file
    /// is written atomically. Returns the path of <c>model.onnx</c>.
    /// </summary>
    /// <exception cref="IOException">The output directory is the model directory.</exception>
    public static string Export(string modelDirectory, string outputDirectory, OnnxPrecision precision, int weightBits = OnnxEngineFactory.DefaultWeightBits)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (string.Equals(Path.GetFullPath(modelDirectory).TrimEnd('/'), Path.GetFullPath(outputDirectory).TrimEnd('/'), StringComparison.Ordinal))
            throw new IOException($"The output directory '{outputDirectory}' is the model directory: choose another.");
        var config = CheckpointFiles.LoadConfig(modelDirectory);
        BertOnnxGraph.EnsureSupported(config, Path.Combine(modelDirectory, CheckpointFiles.Config));
        using var tensors = CheckpointFiles.OpenWeights(modelDirectory);
        var graph = BertOnnxGraph.Build(config, config.NumLabels, tensors, modelDirectory, precision, weightBits);
        Directory.CreateDirectory(outputDirectory);
        var bytes = graph.ToFileBytes();
        var modelPath = Path.Combine(outputDirectory, OnnxDialectEngine.ModelFile);
        AtomicFile.Write(modelPath, stream => stream.Write(bytes));
        foreach (var name in CompanionFiles)
        {
            var source = Path.Combine(modelDirectory, name);
            if (File.Exists(source))
            {
                var content = File.ReadAllBytes(source);
                AtomicFile.Write(Path.Combine(outputDirectory, name), stream => stream.Write(content));
            }
        }
        return modelPath;
    }
}
