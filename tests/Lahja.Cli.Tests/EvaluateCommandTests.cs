using System.Text.Json;

namespace Lahja.Cli.Tests;

public sealed class EvaluateCommandTests : IDisposable
{
    private static readonly string FixtureModel = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-eval-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private string CopyModel()
    {
        var copy = Path.Combine(_work, "model");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(FixtureModel)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return copy;
    }

    [Fact]
    public void Score_prints_the_official_lines_and_json()
    {
        var dir = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Tests", "Fixtures", "scorer");
        var (code, output, _) = CliRunner.Run("", "score", "--gold", Path.Combine(dir, "synthetic_gold.txt"), "--pred", Path.Combine(dir, "synthetic_pred.txt"));
        Assert.Equal(0, code);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "synthetic_expected.json")));
        Assert.StartsWith(string.Join("\n", expected.RootElement.GetProperty("official_lines").EnumerateArray().Select(l => l.GetString())) + "\n\n", output);
        (code, output, _) = CliRunner.Run("", "score", "--gold", Path.Combine(dir, "synthetic_gold.txt"), "--pred", Path.Combine(dir, "synthetic_pred.txt"), "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(expected.RootElement.GetProperty("expected").GetProperty("macro_f1").GetDouble(), json.RootElement.GetProperty("macro_f1").GetDouble(), 1e-9);
        Assert.Equal(8, json.RootElement.GetProperty("per_dialect").GetArrayLength());
    }

    [Fact]
    public void Score_errors_name_file_and_line()
    {
        var gold = Path.Combine(_work, "g.txt");
        File.WriteAllText(gold, "1,,,,,,,,,,,,,,,,,\n");
        var pred = Path.Combine(_work, "p.txt");
        File.WriteAllText(pred, "1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n");
        var (code, _, error) = CliRunner.Run("", "score", "--gold", gold, "--pred", pred);
        Assert.Equal(1, code);
        Assert.Contains("1 lines but", error);
        File.WriteAllText(pred, "1,0\n");
        (code, _, error) = CliRunner.Run("", "score", "--gold", gold, "--pred", pred);
        Assert.Contains("p.txt:1: 2 comma-separated values", error);
        Assert.Equal(2, CliRunner.Run("", "score", "--gold", gold).ExitCode);
    }

    [Fact]
    public void Evaluate_on_nadi_2024_dev2_writes_the_whole_report()
    {
        var data = Path.GetFullPath(Path.Combine(CliRunner.RepositoryRoot, "..", "shared", "data", "nadi", "mladi-dev", "NADI2024_subtask1_dev2.tsv"));
        Assert.SkipUnless(File.Exists(data), "../shared/data is absent: this test evaluates on the NADI 2024 dev2 file.");
        var model = CopyModel();
        var report = Path.Combine(_work, "report");
        var (code, output, error) = CliRunner.Run("", "evaluate", "-m", model, "--data", data, "--report", report, "--tune", "--per-dialect", "--save");
        Assert.True(code == 0, error);
        Assert.StartsWith("OVERALL SCORES:\nMACRO AVERAGE PRECISION SCORE: ", output);
        Assert.Contains("over 0.3", output);
        foreach (var file in new[] { "report.json", "report.md", "predictions.nadi.txt", "f1_per_dialect.png", "threshold_sweep.png", "reliability.png" })
            Assert.True(File.Exists(Path.Combine(report, file)), file);
        foreach (var png in Directory.GetFiles(report, "*.png"))
        {
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.True(bitmap is { Width: 900, Height: 540 }, png);
        }
        Assert.Equal(120, File.ReadAllLines(Path.Combine(report, "predictions.nadi.txt")).Length);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        Assert.Equal(8, json.RootElement.GetProperty("multi_label").GetProperty("per_dialect").GetArrayLength());
        Assert.Equal(19, json.RootElement.GetProperty("threshold_sweep").GetArrayLength());
        Assert.StartsWith("sha256:", json.RootElement.GetProperty("data").GetProperty("sha256").GetString());
        var markdown = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("| Algeria |", markdown);
        // The better tuned rule now lives in lahja.json, and the API and predict use it.
        Assert.Contains("tuned relative threshold", output);
        var settings = Lahja.Checkpoints.LahjaSettings.Load(model)!;
        var tuning = json.RootElement.GetProperty("tuning");
        var absolute = tuning.GetProperty("per_dialect_macro_f1").GetDouble();
        var relative = tuning.GetProperty("relative_macro_f1").GetDouble();
        using var identifier = TestModels.Load(model);
        if (relative > absolute)
        {
            Assert.Equal(0f, settings.Threshold);
            Assert.Null(settings.DialectThresholds);
            Assert.Equal(tuning.GetProperty("relative_threshold").GetSingle(), settings.RelativeThreshold);
            Assert.Equal((float)settings.RelativeThreshold!.Value, identifier.Options.RelativeThreshold);
        }
        else
        {
            // Thresholds for the 8 annotated dialects only; the fixture has no lahja.json, so the others keep 0.3.
            Assert.Equal(0.3f, settings.Threshold);
            Assert.Null(settings.RelativeThreshold);
            Assert.Equal(0.3f, identifier.Options.Threshold);
            Assert.Equal(json.RootElement.GetProperty("multi_label").GetProperty("scored_dialects").EnumerateArray().Select(d => d.GetString()),
                identifier.Options.DialectThresholds!.Keys.Order().Select(d => d.Label()));
        }
    }

    [Fact]
    public void Evaluate_scores_single_label_data()
    {
        var data = Path.Combine(_work, "single.tsv");
        File.WriteAllText(data, "#1_id\t#2_content\t#3_country_label\n1\tشلونك\tIraq\n2\tازيك\tEgypt\n3\tx\tSomalia\n");
        var (code, output, error) = CliRunner.Run("", "evaluate", "-m", FixtureModel, "--data", data, "--report", Path.Combine(_work, "r"));
        Assert.True(code == 0, error);
        Assert.Contains("top-1 accuracy", output);
        Assert.Contains("Somalia 1", error);
        Assert.True(File.Exists(Path.Combine(_work, "r", "report.md")));
        Assert.Equal(2, CliRunner.Run("", "evaluate", "-m", FixtureModel, "--data", data, "--tune").ExitCode);
    }
}
