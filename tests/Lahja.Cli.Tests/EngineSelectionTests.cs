using System.Text.Json;

namespace Lahja.Cli.Tests;

/// <summary><c>--engine</c>, <c>--precision</c> and <c>--device</c> on the commands that run a model.</summary>
public class EngineSelectionTests
{
    private static string Model => Path.Combine(CliRunner.RepositoryRoot, "models", "default");

    private static float[][] Probabilities(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray())
            .ToArray();

    [Fact]
    public void Int8_with_the_torch_engine_is_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "--engine", "torch", "--precision", "int8", "كيفك");
        Assert.Equal(CliApp.UsageExitCode, code);
        Assert.Contains("ONNX engine", error);
    }

    [Fact]
    public void Cuda_with_the_torch_engine_is_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "--engine", "torch", "--device", "cuda", "كيفك");
        Assert.Equal(CliApp.UsageExitCode, code);
        Assert.Contains("ONNX engine", error);
    }

    [Fact]
    public void Cuda_without_the_gpu_build_says_what_to_install()
    {
        // This build references the CPU package of ONNX Runtime, which has no CUDA provider, GPU or not.
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "--device", "cuda", "كيفك");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("--device cuda", error);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Unknown_engine_is_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "--engine", "tensorflow", "كيفك");
        Assert.Equal(CliApp.UsageExitCode, code);
        Assert.Contains("tensorflow", error);
    }

    [Fact]
    public void Onnx_and_torch_engines_agree_on_the_bundled_model()
    {
        string[] texts = ["شلونك حبيبي", "إزيك يا باشا عامل ايه", "شو عم تعمل هلق", "واش راك خويا"];
        var onnx = CliRunner.Run("", ["predict", "-m", Model, "--engine", "onnx", "-f", "jsonl", .. texts]);
        var torch = CliRunner.Run("", ["predict", "-m", Model, "--engine", "torch", "-f", "jsonl", .. texts]);
        var int8 = CliRunner.Run("", ["predict", "-m", Model, "--precision", "int8", "-f", "jsonl", .. texts]);
        Assert.True(onnx.ExitCode == 0, onnx.Error);
        Assert.True(torch.ExitCode == 0, torch.Error);
        Assert.True(int8.ExitCode == 0, int8.Error);
        var (a, b, q) = (Probabilities(onnx.Out), Probabilities(torch.Out), Probabilities(int8.Out));
        Assert.Equal(texts.Length, a.Length);
        var worst = a.Zip(b).Max(pair => pair.First.Zip(pair.Second).Max(p => Math.Abs(p.First - p.Second)));
        Assert.True(worst <= 1e-5, $"ONNX vs torch: max |Δp| = {worst:E2}");
        var quantized = a.Zip(q).Max(pair => pair.First.Zip(pair.Second).Max(p => Math.Abs(p.First - p.Second)));
        Assert.True(quantized > 0, "--precision int8 gave exactly the fp32 probabilities: the quantized graph was not used.");
    }

    [Fact]
    public void The_models_lahja_json_precision_is_the_default_and_an_explicit_precision_wins()
    {
        var copy = Directory.CreateTempSubdirectory("lahja-precision-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Model)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            var settings = Lahja.Checkpoints.LahjaSettings.Load(copy)!;
            (settings with { Precision = "int8" }).Save(copy);
            string[] texts = ["شلونك حبيبي", "إزيك يا باشا عامل ايه"];
            var byDefault = CliRunner.Run("", ["predict", "-m", copy, "-f", "jsonl", .. texts]);
            var int8 = CliRunner.Run("", ["predict", "-m", Model, "--precision", "int8", "-f", "jsonl", .. texts]);
            var fp32 = CliRunner.Run("", ["predict", "-m", copy, "--precision", "fp32", "-f", "jsonl", .. texts]);
            var plain = CliRunner.Run("", ["predict", "-m", Model, "-f", "jsonl", .. texts]);
            Assert.True(byDefault.ExitCode == 0, byDefault.Error);
            Assert.Equal(Probabilities(int8.Out), Probabilities(byDefault.Out));
            Assert.Equal(Probabilities(plain.Out), Probabilities(fp32.Out));
            Assert.NotEqual(Probabilities(plain.Out), Probabilities(byDefault.Out));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}

/// <summary><c>$LAHJA_ENGINE</c> (process environment: run one at a time).</summary>
[Collection(EnvironmentCollection.Name)]
public class EngineVariableTests
{
    private static string Model => Path.Combine(CliRunner.RepositoryRoot, "models", "default");

    [Theory]
    [InlineData("tensorflow", null, "tensorflow")]
    [InlineData("torch", "int8", "ONNX engine")]
    public void Bad_engine_variable_or_combination_is_a_usage_error(string engine, string? precision, string expected)
    {
        var saved = Environment.GetEnvironmentVariable("LAHJA_ENGINE");
        Environment.SetEnvironmentVariable("LAHJA_ENGINE", engine);
        try
        {
            string[] args = precision is null ? ["predict", "-m", Model, "كيفك"] : ["predict", "-m", Model, "--precision", precision, "كيفك"];
            var (code, _, error) = CliRunner.Run("", args);
            Assert.Equal(CliApp.UsageExitCode, code);
            Assert.Contains(expected, error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LAHJA_ENGINE", saved);
        }
    }
}
