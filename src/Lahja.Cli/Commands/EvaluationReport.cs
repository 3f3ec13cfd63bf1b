using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lahja.Evaluation;
using ScottPlot;

namespace Lahja.Cli.Commands;

/// <summary>Everything one evaluation produced, and the files of its report directory.</summary>
internal sealed class EvaluationReport
{
    public required string ModelDirectory { get; init; }
    public required string DataPath { get; init; }
    public required string DataFormat { get; init; }
    public required IReadOnlyDictionary<string, int> Skipped { get; init; }
    public required DialectIdentifierOptions Options { get; init; }
    public required IReadOnlyList<DialectPrediction> Predictions { get; init; }
    public MultiLabelScores? MultiLabel { get; init; }
    public SingleLabelScores? SingleLabel { get; init; }
    public IReadOnlyList<ThresholdPoint>? Sweep { get; init; }
    public IReadOnlyList<ReliabilityBin>? Reliability { get; init; }
    public ThresholdTuning? Tuning { get; init; }
    public DateTimeOffset Date { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Writes report.json, report.md, predictions.nadi.txt and (multi-label) the three plots into <paramref name="directory"/>.</summary>
    public IReadOnlyList<string> Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Text(string name, string content)
        {
            AtomicFile.WriteAllText(Path.Combine(directory, name), content);
            written.Add(name);
        }
        Text("predictions.nadi.txt", string.Concat(Predictions.Select(p =>
            NadiFiles.FormatLine(Options.Decide(p.Probabilities)) + "\n")));
        Text("report.json", JsonSerializer.Serialize(ToJson(), ScoreJson.Options) + "\n");
        Text("report.md", ToMarkdown());
        if (MultiLabel is not null)
        {
            Plot("f1_per_dialect.png", PlotF1PerDialect());
            Plot("threshold_sweep.png", PlotSweep());
            Plot("reliability.png", PlotReliability());
        }
        return written;

        void Plot(string name, Plot plot)
        {
            var bytes = plot.GetImageBytes(900, 540, ImageFormat.Png);
            AtomicFile.Write(Path.Combine(directory, name), s => s.Write(bytes));
            written.Add(name);
        }
    }

    private string ModelHash => Lahja.Checkpoints.CheckpointFiles.WeightsSha256(ModelDirectory) ?? "unknown";

    private string DataHash => HashFile(DataPath);

    private static string HashFile(string? path)
    {
        if (path is null) return "unknown";
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private object ToJson() => new
    {
        date = Date.ToString("O", CultureInfo.InvariantCulture),
        model = new { directory = ModelDirectory, weights = ModelHash },
        data = new { path = DataPath, format = DataFormat, sha256 = DataHash, texts = Predictions.Count, skipped_out_of_set = Skipped },
        settings = new
        {
            decision_rule = DescribeRule(Options),
            threshold = Options.Threshold ?? DialectIdentifierOptions.DefaultThreshold,
            dialect_thresholds = Options.DialectThresholds?.ToDictionary(p => p.Key.Label(), p => p.Value),
            relative_threshold = Options.RelativeThreshold ?? 0f,
            preprocessing = Options.Preprocessing, max_length = Options.MaxLength, batch_size = Options.BatchSize,
        },
        multi_label = MultiLabel is null ? null : ScoreJson.From(MultiLabel),
        single_label = SingleLabel is null ? null : new
        {
            top1_accuracy = SingleLabel.Top1Accuracy, argmax_macro_f1 = SingleLabel.ArgMaxMacroF1,
            gold_in_predicted_set = SingleLabel.GoldInPredictedSet, mean_predicted_set_size = SingleLabel.MeanPredictedSetSize, texts = SingleLabel.Texts,
        },
        threshold_sweep = Sweep?.Select(p => new { threshold = p.Threshold, macro_precision = p.MacroPrecision, macro_recall = p.MacroRecall, macro_f1 = p.MacroF1 }),
        reliability = Reliability?.Select(b => new { lower = b.Lower, upper = b.Upper, mean_probability = Finite(b.MeanProbability), positive_rate = Finite(b.PositiveRate), count = b.Count }),
        tuning = Tuning is null ? null : new
        {
            global_threshold = Tuning.GlobalThreshold, global_macro_f1 = Tuning.GlobalMacroF1, default_macro_f1 = Tuning.DefaultMacroF1,
            dialect_thresholds = Tuning.DialectThresholds?.ToDictionary(p => p.Key.Label(), p => p.Value), per_dialect_macro_f1 = Tuning.PerDialectMacroF1,
            relative_threshold = Tuning.RelativeThreshold, relative_macro_f1 = Tuning.RelativeMacroF1, absolute_tuned_with_relative_threshold = Tuning.RelativeFloor,
        },
    };

    /// <summary>The decision rule in words: absolute threshold, per-dialect thresholds and relative threshold.</summary>
    public static string DescribeRule(DialectIdentifierOptions options) => options.Rule.Describe();

    private static double? Finite(double value) => double.IsNaN(value) ? null : value;

    private string ToMarkdown()
    {
        var md = new StringBuilder();
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        md.AppendLine("# Lahja evaluation report").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| date | {Date:yyyy-MM-dd HH:mm} UTC |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| model | `{ModelDirectory}` ({ModelHash}) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| data | `{DataPath}` ({DataFormat}, {Predictions.Count} texts, {DataHash}) |");
        if (Skipped.Count > 0) md.AppendLine(CultureInfo.InvariantCulture, $"| skipped (outside the 18) | {string.Join(", ", Skipped.Select(p => $"{p.Key} {p.Value}"))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| decision rule | {DescribeRule(Options)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| preprocessing | {Options.Preprocessing}, max length {Options.MaxLength} |").AppendLine();
        if (MultiLabel is { } s)
        {
            md.AppendLine("## Official NADI 2024 subtask-1 scores").AppendLine().AppendLine("```");
            foreach (var line in MultiLabelScorer.OfficialLines(s)) md.AppendLine(line);
            md.AppendLine("```").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Micro P/R/F1 {F(s.MicroPrecision)} / {F(s.MicroRecall)} / {F(s.MicroF1)}; exact match {F(s.ExactMatch)} %; Hamming loss {F(s.HammingLoss)} %; mean predicted set size {F(s.MeanPredictedSetSize)} dialects.").AppendLine();
            md.AppendLine("| dialect | precision | recall | F1 | accuracy | support |").AppendLine("|---|---|---|---|---|---|");
            foreach (var d in s.PerDialect) md.AppendLine(CultureInfo.InvariantCulture, $"| {d.Dialect.Label()} | {F(d.Precision)} | {F(d.Recall)} | {F(d.F1)} | {F(d.Accuracy)} | {d.Support} |");
            md.AppendLine();
            md.AppendLine("![F1 per dialect](f1_per_dialect.png)").AppendLine().AppendLine("![Macro scores against the threshold](threshold_sweep.png)").AppendLine().AppendLine("![Reliability](reliability.png)").AppendLine();
        }
        if (SingleLabel is { } single)
        {
            md.AppendLine("## Single-label scores").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Top-1 accuracy {F(single.Top1Accuracy)} %; arg-max macro F1 {F(single.ArgMaxMacroF1)}; gold dialect in the predicted set {F(single.GoldInPredictedSet)} %; mean predicted set size {F(single.MeanPredictedSetSize)}.").AppendLine();
        }
        if (Tuning is { } t)
        {
            md.AppendLine("## Threshold tuning").AppendLine();
            if (t.RelativeFloor > 0) md.AppendLine(CultureInfo.InvariantCulture, $"Absolute thresholds tuned with the relative threshold in force ({t.RelativeFloor.ToString(CultureInfo.InvariantCulture)} × the top dialect's probability).").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Best global threshold {t.GlobalThreshold.ToString(CultureInfo.InvariantCulture)}: macro F1 {F(t.GlobalMacroF1)} ({(t.GlobalMacroF1 - t.DefaultMacroF1 >= 0 ? "+" : "")}{F(t.GlobalMacroF1 - t.DefaultMacroF1)} over 0.3).");
            if (t.DialectThresholds is { } per)
                md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Per-dialect thresholds ({string.Join(", ", per.Select(p => $"{p.Key.Label()} {p.Value.ToString(CultureInfo.InvariantCulture)}"))}): macro F1 {F(t.PerDialectMacroF1!.Value)}. Tuned and scored on the same data: optimistic. The {Dialects.Count - per.Count} dialects the data does not annotate keep the rule in force.");
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Best relative threshold {t.RelativeThreshold.ToString(CultureInfo.InvariantCulture)} (every dialect within that fraction of the top one): macro F1 {F(t.RelativeMacroF1)}.");
            md.AppendLine();
        }
        return md.ToString();
    }

    private Plot PlotF1PerDialect()
    {
        var plot = new Plot();
        var scores = MultiLabel!.PerDialect;
        var bars = plot.Add.Bars(scores.Select(d => d.F1).ToArray());
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, scores.Count).Select(i => (double)i).ToArray(), scores.Select(d => d.Dialect.Label()).ToArray());
        plot.Axes.SetLimitsY(0, 100);
        plot.Title($"F1 per dialect (macro F1 {MultiLabel.MacroF1:0.00})");
        plot.YLabel("F1 (%)");
        bars.Color = Colors.SteelBlue;
        return plot;
    }

    /// <summary>
    /// Macro scores against one global threshold (no relative threshold), and the operating point of the rule in force:
    /// its absolute threshold and the macro F1 it actually scored (per-dialect and relative thresholds included, so the
    /// point lies off the F1 curve when they change the decisions).
    /// </summary>
    internal Plot PlotSweep()
    {
        var plot = new Plot();
        var x = Sweep!.Select(p => p.Threshold).ToArray();
        plot.Add.Scatter(x, Sweep!.Select(p => p.MacroPrecision).ToArray()).LegendText = "macro precision";
        plot.Add.Scatter(x, Sweep!.Select(p => p.MacroRecall).ToArray()).LegendText = "macro recall";
        plot.Add.Scatter(x, Sweep!.Select(p => p.MacroF1).ToArray()).LegendText = "macro F1 (one global threshold)";
        var threshold = Options.Threshold ?? DialectIdentifierOptions.DefaultThreshold;
        var line = plot.Add.VerticalLine(threshold);
        line.LegendText = $"threshold in force {threshold.ToString(CultureInfo.InvariantCulture)}";
        line.LinePattern = LinePattern.Dashed;
        var parts = new List<string>();
        if (Options.DialectThresholds is { Count: > 0 } per) parts.Add($"{per.Count} per-dialect thresholds");
        if (Options.RelativeThreshold is > 0 and var r) parts.Add($"relative {r.ToString(CultureInfo.InvariantCulture)} × top");
        var operating = plot.Add.Marker(threshold, MultiLabel!.MacroF1, MarkerShape.FilledDiamond, 14);
        operating.LegendText = $"rule in force{(parts.Count > 0 ? $" (+ {string.Join(", ", parts)})" : "")}: macro F1 {MultiLabel.MacroF1.ToString("0.00", CultureInfo.InvariantCulture)}";
        operating.Color = Colors.Black;
        plot.ShowLegend(Alignment.UpperRight);
        // A little room left of 0, where a relative rule's operating point (absolute threshold 0) sits.
        plot.Axes.SetLimits(-0.03, 1, 0, 105);
        plot.Title("Official macro scores against the global threshold");
        plot.XLabel("threshold");
        plot.YLabel("score (%)");
        return plot;
    }

    private Plot PlotReliability()
    {
        var plot = new Plot();
        var bins = Reliability!.Where(b => b.Count > 0).ToArray();
        plot.Add.Line(0, 0, 1, 1).LegendText = "perfect calibration";
        var observed = plot.Add.Scatter(bins.Select(b => b.MeanProbability).ToArray(), bins.Select(b => b.PositiveRate).ToArray());
        observed.LegendText = "observed";
        observed.MarkerSize = 8;
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title($"Reliability over {Reliability!.Sum(b => b.Count)} annotated (sentence, dialect) pairs");
        plot.XLabel("mean predicted probability");
        plot.YLabel("share of gold positives");
        return plot;
    }
}
