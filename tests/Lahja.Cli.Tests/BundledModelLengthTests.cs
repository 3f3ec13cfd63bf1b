namespace Lahja.Cli.Tests;

/// <summary>
/// The bundled model was trained at 64 tokens (its tokenizer_config.json says so) over 128 position embeddings:
/// predict runs it at 64 unless --max-length says otherwise, as the trainer's own dev pass did.
/// </summary>
public sealed class BundledModelLengthTests
{
    [Fact]
    public void The_bundled_model_runs_at_the_length_it_was_trained_at()
    {
        var model = Path.Combine(CliRunner.RepositoryRoot, "models", "default");
        var text = string.Join(' ', Enumerable.Repeat("شو عم تعمل هلق", 40)); // about 160 tokens
        var byDefault = CliRunner.Run("", "predict", "-m", model, "-f", "jsonl", text);
        var at64 = CliRunner.Run("", "predict", "-m", model, "-f", "jsonl", "--max-length", "64", text);
        var at128 = CliRunner.Run("", "predict", "-m", model, "-f", "jsonl", "--max-length", "128", text);

        Assert.True(byDefault.ExitCode == 0, byDefault.Error);
        Assert.Equal(at64.Out, byDefault.Out);
        Assert.NotEqual(at128.Out, byDefault.Out);
    }
}
