using System.Text.Json;

namespace Lahja.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-train-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Corpus() => Write("train.jsonl", string.Join("\n", Enumerable.Range(0, 40).Select(i =>
        JsonSerializer.Serialize(new { text = $"كلمة{i % 7} نص{i % 5} مرحبا", dialects = i % 3 == 0 ? new[] { "Egypt" } : new[] { "Egypt", "Sudan" } }))) + "\n");

    [Fact]
    public void Plan_prints_stage_compositions()
    {
        var (code, output, error) = CliRunner.Run("", "train", "--train", Corpus(), "--plan", "--curriculum", "cardinality-stages", "--epochs", "2");
        Assert.True(code == 0, error);
        using var plan = JsonDocument.Parse(output);
        var stages = plan.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["stage 1", "stage 2"], stages.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(14, stages[0].GetProperty("rows").GetInt32());
        // Stage 2: its 26 rows; 26 // 18 = 1 single-dialect row per country that has any (only Egypt here).
        Assert.Equal(26, stages[1].GetProperty("by_cardinality").GetProperty("2").GetInt32());
        Assert.Equal(1, stages[1].GetProperty("by_cardinality").GetProperty("1").GetInt32());
    }

    [Fact]
    public void Vocab_then_train_from_scratch_writes_a_loadable_checkpoint()
    {
        var corpus = Corpus();
        var vocab = Path.Combine(_work, "vocab");
        var (code, _, error) = CliRunner.Run("", "vocab", "-i", corpus, "--size", "120", "-o", vocab, "--preprocess", "none", "--min-frequency", "1");
        Assert.True(code == 0, error);
        var output = Path.Combine(_work, "model");
        (code, var stdout, error) = CliRunner.Run("", "train", "--train", corpus, "--dev", corpus, "--vocab", vocab, "--layers", "1", "--hidden", "16",
            "--heads", "2", "--epochs", "2", "--batch-size", "8", "--lr", "1e-3", "--warmup", "0", "--preprocess", "none", "-o", output);
        Assert.True(code == 0, error);
        Assert.Contains("dev after", error);
        (code, stdout, error) = CliRunner.Run("", "predict", "-m", output, "--preprocess", "none", "-f", "jsonl", "مرحبا");
        Assert.True(code == 0, error);
        Assert.Contains("\"probabilities\"", stdout);
        Assert.Equal(2, CliRunner.Run("", "train", "--train", corpus, "-o", output).ExitCode); // neither --init nor --vocab
    }
}
