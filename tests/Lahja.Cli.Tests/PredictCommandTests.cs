using System.Text.Json;

namespace Lahja.Cli.Tests;

[Collection(EnvironmentCollection.Name)]
public sealed class PredictCommandTests : IDisposable
{
    private static readonly string Model = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-predict-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private string WorkFile(string name, string? content = null)
    {
        var path = Path.Combine(_work, name);
        if (content is not null) File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Without_a_model_the_bundled_model_answers_offline_with_its_tuned_rule()
    {
        var saved = Environment.GetEnvironmentVariable("LAHJA_MODEL");
        Environment.SetEnvironmentVariable("LAHJA_MODEL", null);
        try
        {
            var (code, output, error) = CliRunner.Run("", "predict", "-f", "json", "شو عم تعمل هلق");
            Assert.True(code == 0, error);
            using var json = System.Text.Json.JsonDocument.Parse(output);
            var row = json.RootElement[0];
            Assert.Equal(18, row.GetProperty("probabilities").EnumerateObject().Count());
            // The bundled model's lahja.json keeps every dialect within its relative threshold of the top one.
            var settings = Lahja.Checkpoints.LahjaSettings.Load(Path.Combine(CliRunner.RepositoryRoot, "models", "default"))!;
            var probabilities = row.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
            var expected = Dialects.All.Where(d => probabilities[(int)d] >= settings.RelativeThreshold!.Value * probabilities.Max()).Select(d => d.Label()).ToHashSet();
            Assert.Equal(expected, row.GetProperty("dialects").EnumerateArray().Select(d => d.GetString()!).ToHashSet());
            // A Levantine sentence: the top dialect is a Levantine country.
            Assert.Equal(Region.Levant, Dialects.All.MaxBy(d => probabilities[(int)d]).Info().Region);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LAHJA_MODEL", saved);
        }
    }

    [Fact]
    public void Jsonl_has_full_precision_probabilities_in_canonical_order()
    {
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "--format", "jsonl", "شلونك حبيبي", "إزيك");
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var identifier = TestModels.Load(Model);
        var expected = identifier.Predict(["شلونك حبيبي", "إزيك"])[0]; // the same batch, so the same padding
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal("شلونك حبيبي", doc.RootElement.GetProperty("text").GetString());
        var probabilities = doc.RootElement.GetProperty("probabilities").EnumerateObject().ToArray();
        Assert.Equal(Dialects.Table.Select(d => d.Label), probabilities.Select(p => p.Name));
        Assert.Equal(expected.Probabilities, probabilities.Select(p => p.Value.GetSingle()));
        Assert.Equal(expected.Dialects.Select(d => d.Label), doc.RootElement.GetProperty("dialects").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Nadi_format_writes_18_binary_values_per_line_from_a_file()
    {
        var input = WorkFile("in.txt", "شلونك\n\nكيفك\n");
        var (code, output, _) = CliRunner.Run("", "predict", "-m", Model, "--input", input, "--format", "nadi", "--threshold", "0.5");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches("^[01](,[01]){17}$", l));
    }

    [Fact]
    public void Tsv_and_csv_columns_are_read_by_name()
    {
        var tsv = WorkFile("in.tsv", "id\tsentence\n1\tشلونك\n2\tكيفك\n");
        var (code, output, _) = CliRunner.Run("", "predict", "-m", Model, "-i", tsv, "--column", "sentence", "--format", "tsv");
        Assert.Equal(0, code);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("text\tAlgeria\tBahrain", rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("شلونك\t", rows[1]);
        var csv = WorkFile("in.csv", "sentence,id\n\"كيفك, حبيبي\",1\n");
        (code, output, _) = CliRunner.Run("", "predict", "-m", Model, "-i", csv, "--column", "sentence", "--format", "jsonl");
        Assert.Equal(0, code);
        Assert.Contains("\"text\":\"كيفك, حبيبي\"", output);
        (code, _, var error) = CliRunner.Run("", "predict", "-m", Model, "-i", tsv, "--column", "tweet");
        Assert.Equal(1, code);
        Assert.Contains("no column 'tweet'", error);
    }

    [Fact]
    public void Output_file_is_complete_or_absent()
    {
        var output = WorkFile("out.jsonl");
        var (code, stdout, _) = CliRunner.Run("", "predict", "-m", Model, "-i", WorkFile("ok.txt", "شلونك\nكيفك\n"), "-f", "jsonl", "-o", output);
        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.Equal(2, File.ReadAllLines(output).Length);

        var bad = WorkFile("bad.txt");
        File.WriteAllBytes(bad, [.. "شلونك\nok\n"u8, 0xFF, 0xFE, (byte)'\n']);
        var broken = WorkFile("broken.jsonl");
        (code, _, var error) = CliRunner.Run("", "predict", "-m", Model, "-i", bad, "-f", "jsonl", "-o", broken);
        Assert.Equal(1, code);
        Assert.Contains("bad.txt:3: invalid UTF-8", error);
        Assert.False(File.Exists(broken));
        Assert.Empty(Directory.GetFiles(_work, "*.partial"));
    }

    [Fact]
    public void Empty_input_warns_and_writes_nothing()
    {
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "-i", WorkFile("empty.txt", ""), "-f", "nadi");
        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Contains("no texts", error);
    }

    [Fact]
    public void Exit_codes_distinguish_usage_from_runtime_errors()
    {
        Assert.Equal(2, CliRunner.Run("", "predict", "-m", Model, "--format", "yaml", "x").ExitCode);
        Assert.Equal(2, CliRunner.Run("", "predict", "-m", Model, "--treshold", "0.5", "x").ExitCode);
        Assert.Equal(2, CliRunner.Run("", "predict", "-m", Model, "--column", "c", "x").ExitCode);
        Assert.Equal(2, CliRunner.Run("", "predict", "-m", Model, "-i", "a.txt", "x").ExitCode);
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "--threshold", "1.5", "x");
        Assert.Equal(2, code);
        Assert.Equal("lahja: --threshold 1.5: The threshold must be between 0 and 1.\n", error);
        (code, _, error) = CliRunner.Run("", "predict", "-m", Path.Combine(_work, "missing"), "x");
        Assert.Equal(1, code);
        Assert.DoesNotContain("   at ", error);
        (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "-i", Path.Combine(_work, "nope.txt"));
        Assert.Equal(1, code);
        Assert.Contains("nope.txt", error);
    }

    [Fact]
    public void Hub_id_offline_and_not_cached_is_a_clear_error()
    {
        var previous = (Environment.GetEnvironmentVariable("HF_HUB_CACHE"), Environment.GetEnvironmentVariable("HF_HUB_OFFLINE"));
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _work);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        try
        {
            var (code, _, error) = CliRunner.Run("", "predict", "-m", "AHAAM/B2BERT", "x");
            Assert.Equal(1, code);
            Assert.Contains("HF_HUB_OFFLINE is set and AHAAM/B2BERT@main is not in the cache", error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", previous.Item1);
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", previous.Item2);
        }
    }
}
