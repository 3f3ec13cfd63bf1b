using Lahja.Checkpoints;

namespace Lahja.Onnx.Tests;

/// <summary>
/// The ONNX engine's probabilities vs PyTorch's (the fixtures tools/reference/bert_reference.py wrote for the Torch
/// engine's parity tests), same texts and settings. Tolerance: max |Δp| ≤ 1e-5.
/// </summary>
public class OnnxParityTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Checkpoints => new() { "f32", "f16", "bf16", "pytorch-bin", "generic-labels", "legacy-keys", "reordered-labels" };

    private static DialectIdentifierOptions Options(OnnxPrecision precision = OnnxPrecision.Fp32) =>
        new() { Preprocessing = "none", BatchSize = 16, Engine = new OnnxEngineFactory(precision) };

    private static double MaxDifference(DialectIdentifier identifier, IReadOnlyList<DialectPrediction> predictions, IReadOnlyList<float[]> expected)
    {
        Assert.Equal(expected.Count, predictions.Count);
        var worst = 0.0;
        for (var i = 0; i < expected.Count; i++)
            for (var d = 0; d < Dialects.Count; d++)
                worst = Math.Max(worst, Math.Abs(predictions[i].Probabilities[d] - expected[i][identifier.Labels.OutputForDialect[d]]));
        return worst;
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Probabilities_match_pytorch(string checkpoint)
    {
        using var identifier = DialectIdentifier.Load(ModelFixtures.Checkpoint(checkpoint), Options());
        var worst = MaxDifference(identifier, identifier.Predict(ModelFixtures.Texts), ModelFixtures.Probabilities(checkpoint));
        TestContext.Current.TestOutputHelper?.WriteLine($"{checkpoint}: max |Δp| = {worst:E2}");
        Assert.True(worst <= Tolerance, $"max |Δp| = {worst:E2} exceeds {Tolerance:E0}");
    }

    [Fact]
    public void Sharded_checkpoint_matches_pytorch()
    {
        using var work = new TemporaryDirectory();
        File.Copy(Path.Combine(ModelFixtures.Checkpoint("f32"), "config.json"), work.Sub("config.json"));
        File.Copy(Path.Combine(ModelFixtures.Checkpoint("f32"), "vocab.txt"), work.Sub("vocab.txt"));
        using (var source = SafeTensorsFile.Open(Path.Combine(ModelFixtures.Checkpoint("f32"), "model.safetensors")))
        {
            var names = source.Tensors.Keys.Order(StringComparer.Ordinal).ToList();
            var shards = new[] { names.Take(names.Count / 2).ToList(), names.Skip(names.Count / 2).ToList() };
            var weightMap = new System.Text.Json.Nodes.JsonObject();
            for (var s = 0; s < shards.Length; s++)
            {
                var file = $"model-{s + 1:00000}-of-00002.safetensors";
                SafeTensorsFile.Write(work.Sub(file), shards[s].Where(n => source.Tensors[n].DType != TensorDType.I64).Select(n => (n, source.Tensors[n].Shape, source.ReadFloat32(n))));
                foreach (var n in shards[s].Where(n => source.Tensors[n].DType != TensorDType.I64)) weightMap[n] = file;
            }
            File.WriteAllText(work.Sub("model.safetensors.index.json"), new System.Text.Json.Nodes.JsonObject { ["weight_map"] = weightMap }.ToJsonString());
        }
        using var identifier = DialectIdentifier.Load(work.Path, Options());
        var worst = MaxDifference(identifier, identifier.Predict(ModelFixtures.Texts), ModelFixtures.Probabilities("f32"));
        Assert.True(worst <= Tolerance, $"max |Δp| = {worst:E2} exceeds {Tolerance:E0}");
    }

    [Fact]
    public void Cuda_matches_pytorch_or_says_what_to_install()
    {
        // On a GPU machine with the GPU build (bench/gpu_check.sh sets LAHJA_REQUIRE_CUDA=1) this is the CUDA parity
        // check; elsewhere the clear error is.
        var options = new DialectIdentifierOptions { Preprocessing = "none", BatchSize = 16, Engine = new OnnxEngineFactory(OnnxPrecision.Fp32, device: OnnxDevice.Cuda) };
        DialectIdentifier identifier;
        try
        {
            identifier = DialectIdentifier.Load(ModelFixtures.Checkpoint("f32"), options);
        }
        catch (OnnxDeviceUnavailableException e)
        {
            Assert.False(Environment.GetEnvironmentVariable("LAHJA_REQUIRE_CUDA") == "1", e.Message);
            Assert.Equal(OnnxDevice.Cuda, e.Device);
            Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", e.Message);
            return;
        }
        using (identifier)
        {
            var worst = MaxDifference(identifier, identifier.Predict(ModelFixtures.Texts), ModelFixtures.Probabilities("f32"));
            TestContext.Current.TestOutputHelper?.WriteLine($"cuda: max |Δp| = {worst:E2}");
            Assert.True(worst <= Tolerance, $"cuda: max |Δp| = {worst:E2} exceeds {Tolerance:E0}");
        }
    }

    [Fact]
    public void Int8_stays_close_to_fp32()
    {
        using var fp32 = DialectIdentifier.Load(ModelFixtures.Checkpoint("f32"), Options());
        using var int8 = DialectIdentifier.Load(ModelFixtures.Checkpoint("f32"), Options(OnnxPrecision.Int8));
        var reference = fp32.Predict(ModelFixtures.Texts).Select(p => p.Probabilities.ToArray()).ToList();
        var predictions = int8.Predict(ModelFixtures.Texts);
        var worst = MaxDifference(int8, predictions, reference);
        TestContext.Current.TestOutputHelper?.WriteLine($"int8 vs fp32: max |Δp| = {worst:E2}");
        Assert.True(worst > 0, "int8 gave exactly the fp32 probabilities: the quantized graph was not used.");
        Assert.True(worst < 0.02, $"int8 vs fp32: max |Δp| = {worst:E2}");
    }
}
