using System.Text.Json.Nodes;
using Lahja.Checkpoints;

namespace Lahja.Cli.Tests;

/// <summary>
/// Checkpoints that must be refused at load: absurd or malformed config sizes, unsupported settings, non-finite
/// weights. Each is a copy of a tiny test checkpoint with one thing broken; <c>predict</c> must exit 1 with a clear
/// message naming the field or tensor, and no stack trace.
/// </summary>
public sealed class BadCheckpointTests : IDisposable
{
    private static readonly string Source = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-badckpt-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private string CopyOfSource()
    {
        var directory = Path.Combine(_work, "model");
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(Source))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        return directory;
    }

    private static void AssertRefused(string directory, string expected)
    {
        var (code, output, error) = CliRunner.Run("", "predict", "-m", directory, "شلونك حبيبي");
        Assert.True(code == 1, $"exit {code}; stdout: {output}; stderr: {error}");
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error); // no stack trace
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("num_hidden_layers", "1000000000", "field \"num_hidden_layers\" must be a whole number from 1 to 1024, found 1000000000")]
    [InlineData("num_hidden_layers", "1e30", "field \"num_hidden_layers\" must be a whole number from 1 to 1024, found 1e30")]
    [InlineData("num_hidden_layers", "2.5", "field \"num_hidden_layers\" must be a whole number from 1 to 1024, found 2.5")]
    [InlineData("num_hidden_layers", "500", "num_hidden_layers is 500, but the weights hold 2 (layers 0 to 1)")]
    [InlineData("intermediate_size", "1000000000000", "field \"intermediate_size\" must be a whole number from 1 to 262144, found 1000000000000")]
    [InlineData("hidden_size", "-32", "field \"hidden_size\"")]
    [InlineData("num_attention_heads", "0", "field \"num_attention_heads\"")]
    [InlineData("layer_norm_eps", "-1e-12", "layer_norm_eps -1E-12 is not a positive number")]
    [InlineData("position_embedding_type", "\"relative_key\"", "position_embedding_type \"relative_key\" is not supported")]
    [InlineData("hidden_act", "\"swish\"", "hidden_act \"swish\" is not supported")]
    public void Bad_config_values_are_refused(string field, string json, string expected)
    {
        var directory = CopyOfSource();
        var path = Path.Combine(directory, CheckpointFiles.Config);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config[field] = JsonNode.Parse(json);
        File.WriteAllText(path, config.ToJsonString());
        AssertRefused(directory, expected);
    }

    [Theory]
    [InlineData("bert.encoder.layer.1.attention.self.query.weight", float.NaN, "holds NaN")]
    [InlineData("classifier.bias", float.PositiveInfinity, "holds Infinity")]
    [InlineData("bert.embeddings.word_embeddings.weight", float.NegativeInfinity, "holds -Infinity")]
    public void Non_finite_weights_are_refused_naming_the_tensor(string tensor, float value, string expected)
    {
        var directory = CopyOfSource();
        RewriteWeights(directory, tensor, data => data[data.Length / 2] = value);
        AssertRefused(directory, $"tensor \"{tensor}\" {expected}");
    }

    [Fact]
    public void Finite_weights_that_overflow_are_refused_at_prediction()
    {
        // Every weight finite, but the embeddings' LayerNorm scales to float32's limit, so the next LayerNorm sees
        // infinities and the probabilities come out NaN: a clear error, not a table of NaN.
        var directory = CopyOfSource();
        RewriteWeights(directory, "bert.embeddings.LayerNorm.weight", data => Array.Fill(data, float.MaxValue));
        AssertRefused(directory, "non-finite probability");
    }

    private static void RewriteWeights(string directory, string tensor, Action<float[]> change)
    {
        var path = Path.Combine(directory, CheckpointFiles.SafeTensors);
        List<(string Name, long[] Shape, float[] Data)> tensors;
        using (var file = SafeTensorsFile.Open(path))
        {
            Assert.Contains(tensor, file.Tensors.Keys);
            tensors = file.Tensors.Values.Where(t => t.DType != TensorDType.I64).Select(t => (t.Name, t.Shape, file.ReadFloat32(t.Name))).ToList();
        }
        change(tensors.Single(t => t.Name == tensor).Data);
        SafeTensorsFile.Write(path, tensors);
    }
}
