using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Cli.Commands;
using Lahja.Evaluation;

namespace Lahja.Cli.Tests;

/// <summary>evaluate's decision rule: what --tune --save writes, where it may write, and how reports record the rule in force.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class EvaluateRuleTests : IDisposable
{
    private static readonly string FixtureModel = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
    private static readonly string BundledModel = Path.Combine(CliRunner.RepositoryRoot, "models", "default");
    private static readonly string Dev2 = Path.GetFullPath(Path.Combine(CliRunner.RepositoryRoot, "..", "shared", "data", "nadi", "mladi-dev", "NADI2024_subtask1_dev2.tsv"));
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-rule-").FullName;
    private readonly string? _savedModelVariable = Environment.GetEnvironmentVariable(ModelLocator.ModelVariable);

    public EvaluateRuleTests() => Environment.SetEnvironmentVariable(ModelLocator.ModelVariable, null);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ModelLocator.ModelVariable, _savedModelVariable);
        Directory.Delete(_work, true);
    }

    private string Copy(string model)
    {
        var copy = Path.Combine(_work, "model");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(model)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return copy;
    }

    /// <summary>A NADI 2024-layout file annotating Egypt and Sudan only.</summary>
    private string TwoDialectData()
    {
        var path = Path.Combine(_work, "two.tsv");
        File.WriteAllLines(path, new[] { "sentence\tEgypt\tSudan" }.Concat(Enumerable.Range(0, 12).Select(i =>
            $"{(i % 2 == 0 ? "ازيك يا باشا عامل ايه" : "زول ده شنو يا خوي")} {i}\t{(i % 2 == 0 ? "y" : "n")}\t{(i % 3 == 0 ? "y" : "n")}")));
        return path;
    }

    [Fact]
    public void Save_without_a_model_refuses_to_overwrite_the_bundled_model_and_says_what_to_run()
    {
        var settings = Path.Combine(BundledModel, LahjaSettings.FileName);
        var before = File.ReadAllBytes(settings);
        try
        {
            var (code, _, error) = CliRunner.Run("", "evaluate", "--data", TwoDialectData(), "--tune", "--per-dialect", "--save");
            Assert.Equal(2, code);
            Assert.Contains("bundled model", error);
            Assert.Contains("cp -r", error);
            Assert.Contains("-m my-model", error);
            Assert.Equal(before, File.ReadAllBytes(settings));
        }
        finally
        {
            File.WriteAllBytes(settings, before); // never leave the tracked file changed, even when the test fails
        }
    }

    [Fact]
    public void Per_dialect_save_writes_thresholds_only_for_annotated_dialects_and_keeps_the_rule_in_force_for_the_others()
    {
        var tuning = new ThresholdTuning(0.004f, 53.0, 15.0, new Dictionary<Dialect, float> { [Dialect.Egypt] = 0.09f, [Dialect.Sudan] = 0.004f }, 59.0, 0.05f, 56.0);
        var inForce = new DialectIdentifierOptions { Threshold = 0f, RelativeThreshold = 0.05f, DialectThresholds = new Dictionary<Dialect, float> { [Dialect.Iraq] = 0.2f, [Dialect.Egypt] = 0.5f } };
        var data = Lahja.Data.LabeledDataset.Read(TwoDialectData());
        var settings = EvaluateCommand.TunedSettings(tuning, inForce, data, "earlier");
        Assert.Equal(0f, settings.Threshold);
        Assert.Equal(0.05f, settings.RelativeThreshold);
        Assert.Equal(new Dictionary<Dialect, float> { [Dialect.Egypt] = 0.09f, [Dialect.Sudan] = 0.004f, [Dialect.Iraq] = 0.2f }, settings.DialectThresholds);
        Assert.StartsWith("earlier; thresholds of the 2 annotated dialects", settings.Provenance);

        // The relative rule compares with the top dialect: it replaces the rule for all 18.
        var relative = EvaluateCommand.TunedSettings(tuning with { RelativeMacroF1 = 60.0 }, inForce, data, null);
        Assert.Equal((0f, (IReadOnlyDictionary<Dialect, float>?)null, (float?)0.05f), (relative.Threshold!.Value, relative.DialectThresholds, relative.RelativeThreshold));
    }

    [Fact]
    public void Dev2_per_dialect_save_on_the_bundled_model_tunes_the_8_annotated_dialects_and_decides_as_it_was_scored()
    {
        Assert.SkipUnless(File.Exists(Dev2), "../shared/data is absent: this test tunes on the NADI 2024 dev2 file.");
        var model = Copy(BundledModel);
        // Under the bundled model's own rule (relative 0.2, chosen for set size), the tuned relative rule wins; start
        // from the rule under which per-dialect thresholds win, so that --save has per-dialect thresholds to write.
        var inForce = new LahjaSettings { Threshold = 0, RelativeThreshold = 0.05f };
        inForce.Save(model);
        var report = Path.Combine(_work, "report");
        var (code, output, error) = CliRunner.Run("", "evaluate", "-m", model, "--data", Dev2, "--report", report, "--tune", "--per-dialect", "--save", "--threads", "2");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        var tuning = json.RootElement.GetProperty("tuning");
        var perDialectF1 = tuning.GetProperty("per_dialect_macro_f1").GetDouble();
        Assert.True(perDialectF1 > tuning.GetProperty("relative_macro_f1").GetDouble(), output);
        var settings = LahjaSettings.Load(model)!;
        Assert.Equal(inForce.Threshold, settings.Threshold);
        Assert.Equal(inForce.RelativeThreshold, settings.RelativeThreshold);
        Assert.Equal(["Algeria", "Egypt", "Jordan", "Palestine", "Sudan", "Syria", "Tunisia", "Yemen"], settings.DialectThresholds!.Keys.Order().Select(d => d.Label()));
        Assert.Contains("10 dialects the data does not annotate keep the rule in force", output);

        // The saved rule decides exactly as it was tuned: evaluating with it gives the tuned macro F1.
        (code, output, error) = CliRunner.Run("", "evaluate", "-m", model, "--data", Dev2, "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains(FormattableString.Invariant($"MACRO AVERAGE F1 SCORE: {perDialectF1:F2} %"), output);
    }

    [Fact]
    public void Report_records_the_whole_rule_in_force_and_the_sweep_marks_its_operating_point()
    {
        var report = Path.Combine(_work, "report");
        var (code, _, error) = CliRunner.Run("", "evaluate", "-m", FixtureModel, "--data", TwoDialectData(), "--threshold", "0.2", "--relative-threshold", "0.4", "--report", report);
        Assert.True(code == 0, error);
        Assert.Contains("decision rule in force: a dialect is predicted when its probability is at least 0.2 and at least 0.4 × the top dialect's probability", error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        var settings = json.RootElement.GetProperty("settings");
        Assert.Equal(0.2, settings.GetProperty("threshold").GetDouble(), 6);
        Assert.Equal(0.4, settings.GetProperty("relative_threshold").GetDouble(), 6);
        Assert.Contains("0.4 × the top", settings.GetProperty("decision_rule").GetString());
        Assert.Contains("| decision rule | a dialect is predicted when its probability is at least 0.2 and at least 0.4 × the top dialect's probability |", File.ReadAllText(Path.Combine(report, "report.md")));

        // The sweep's operating point: the threshold in force and the macro F1 the full rule scored.
        var data = Lahja.Data.LabeledDataset.Read(TwoDialectData());
        var options = new DialectIdentifierOptions { Threshold = 0.2f, RelativeThreshold = 0.4f, Preprocessing = "b2bert" };
        using var identifier = TestModels.Load(FixtureModel, options);
        var predictions = identifier.Predict(data.Texts);
        var probabilities = predictions.Select(p => p.Probabilities).ToArray();
        var scores = MultiLabelScorer.Score(data.MultiLabel!, probabilities.Select(options.Decide).ToArray());
        var plot = new EvaluationReport
        {
            ModelDirectory = FixtureModel, DataPath = data.Source, DataFormat = data.Format, Skipped = data.SkippedOutOfSet, Options = options, Predictions = predictions,
            MultiLabel = scores, Sweep = ThresholdAnalysis.Sweep(data.MultiLabel!, probabilities),
        }.PlotSweep();
        var point = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.Marker>());
        Assert.Equal(0.2, point.X, 6);
        Assert.Equal(scores.MacroF1, point.Y, 9);
        Assert.Contains("rule in force (+ relative 0.4 × top)", point.LegendText);
    }

    [Fact]
    public void Score_prints_per_dialect_and_micro_metrics_in_plain_output()
    {
        var dir = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Tests", "Fixtures", "scorer");
        var (code, output, _) = CliRunner.Run("", "score", "--gold", Path.Combine(dir, "synthetic_gold.txt"), "--pred", Path.Combine(dir, "synthetic_pred.txt"));
        Assert.Equal(0, code);
        var scores = MultiLabelScorer.Score(NadiFiles.ReadGold(Path.Combine(dir, "synthetic_gold.txt")), NadiFiles.ReadPredictions(Path.Combine(dir, "synthetic_pred.txt")));
        Assert.Contains(FormattableString.Invariant($"micro P/R/F1 {scores.MicroPrecision:0.00}/{scores.MicroRecall:0.00}/{scores.MicroF1:0.00}"), output);
        foreach (var d in scores.PerDialect) Assert.Contains(FormattableString.Invariant($"{d.Dialect.Label(),-12} {d.Precision,10:0.00}"), output);
    }
}
