using System.CommandLine;
using System.Globalization;
using Lahja.Checkpoints;
using Lahja.Cli.Commands.Shared;
using Lahja.Data;
using Lahja.Evaluation;

namespace Lahja.Cli.Commands;

/// <summary>
/// <c>lahja evaluate --model M --data FILE [--threshold T] [--report DIR] [--tune [--per-dialect] [--save]]</c>:
/// runs the model once over a labelled data set, then scores, sweeps thresholds and reports.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOption.Create();
        var data = new Option<FileInfo>("--data", "-d") { Description = "Labelled data: NADI 2024 dev TSV, NADI single-label TSV, or multi-label CSV/TSV/JSONL.", Required = true };
        var report = new Option<DirectoryInfo?>("--report") { Description = "Write report.json, report.md, predictions.nadi.txt and PNG plots here." };
        var tune = new Option<bool>("--tune") { Description = "Find the global threshold, and the relative threshold, that maximise macro F1 on this data." };
        var perDialect = new Option<bool>("--per-dialect") { Description = "With --tune, also tune one threshold per dialect the data annotates (the others keep the rule in force)." };
        var save = new Option<bool>("--save") { Description = "With --tune, write the better rule (absolute thresholds or relative threshold) to the model's lahja.json (config.json untouched); per-dialect thresholds only for the dialects the data annotates. Refused for the bundled model: copy it first." };
        var settings = new IdentifierSettings
        {
            Threshold = CommonOptions.Threshold(), RelativeThreshold = CommonOptions.RelativeThreshold(), Preprocessing = CommonOptions.Preset(),
            BatchSize = CommonOptions.BatchSize(), MaxBatchTokens = CommonOptions.MaxBatchTokens(), Threads = CommonOptions.Threads(),
            MaxLength = CommonOptions.ModelMaxLength(), Engine = true,
        };
        var command = new Command("evaluate", "Evaluate a model on labelled data with the official NADI 2024 scorer; tune thresholds; write a report.")
        {
            model, data, report, tune, perDialect, save,
        };
        settings.AddTo(command);
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            if ((parse.GetValue(perDialect) || parse.GetValue(save)) && !parse.GetValue(tune))
                throw new UsageException("--per-dialect and --save go with --tune.");
            // First: an engine that cannot run here says so before the data is read or the model fetched.
            var options = settings.Bind(parse);
            var dataset = LabeledDataset.Read(parse.GetValue(data)!.FullName);
            if (dataset.Texts.Count == 0) throw new InvalidDataException($"{dataset.Source}: no labelled texts.");
            if (parse.GetValue(tune) && dataset.MultiLabel is null)
                throw new UsageException("--tune needs multi-label gold (the NADI 2024 format or a multi-label file).");
            var directory = ModelOption.Resolve(parse.GetValue(model), io);
            if (parse.GetValue(save) && IsBundledModel(directory))
                throw new UsageException(
                    $"--save would overwrite the bundled model's {LahjaSettings.FileName} ({Path.Combine(directory, LahjaSettings.FileName)}), which is part of the repository. " +
                    $"Save the tuned rule into a copy of the model instead:\n  cp -r {directory} my-model\n  lahja evaluate -m my-model --data {parse.GetValue(data)!.FullName} --tune{(parse.GetValue(perDialect) ? " --per-dialect" : "")} --save\n" +
                    "or run without --save to see the tuned thresholds only.");
            using var identifier = DialectIdentifier.Load(directory, options);
            io.Error.WriteLine($"lahja: {dataset.Texts.Count} texts from {dataset.Source} ({dataset.Format}){DatasetReport.Skipped(dataset.SkippedOutOfSet, "; ")}");
            var predictions = identifier.Predict(dataset.Texts, new TextsProgress(io.Error, dataset.Texts.Count));
            var probabilities = predictions.Select(p => p.Probabilities).ToArray();
            var used = identifier.Options;
            var rule = identifier.Rule;
            io.Error.WriteLine($"lahja: decision rule in force: {rule.Describe()}");

            MultiLabelScores? multi = null;
            SingleLabelScores? single = null;
            IReadOnlyList<ThresholdPoint>? sweep = null;
            IReadOnlyList<ReliabilityBin>? reliability = null;
            ThresholdTuning? tuning = null;
            if (dataset.MultiLabel is { } gold)
            {
                multi = MultiLabelScorer.Score(gold, probabilities.Select(rule.Decide).ToArray(), dataset.Source);
                sweep = ThresholdAnalysis.Sweep(gold, probabilities);
                reliability = ThresholdAnalysis.Reliability(gold, probabilities);
                ScoreCommand.WriteScores(io.Out, multi);
                if (parse.GetValue(tune))
                {
                    var floor = rule.RelativeThreshold;
                    tuning = ThresholdAnalysis.Tune(gold, probabilities, parse.GetValue(perDialect), floor);
                    var underFloor = floor > 0 ? string.Create(CultureInfo.InvariantCulture, $", with the relative threshold {floor} in force") : "";
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"tuned global threshold {tuning.GlobalThreshold}{underFloor}: macro F1 {tuning.GlobalMacroF1:0.00} ({tuning.GlobalMacroF1 - tuning.DefaultMacroF1:+0.00;-0.00;0.00} over 0.3)"));
                    if (tuning.DialectThresholds is { } per)
                        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"per-dialect thresholds {string.Join(", ", per.Select(p => $"{p.Key.Label()} {p.Value}"))}{underFloor}: macro F1 {tuning.PerDialectMacroF1:0.00} (tuned on the data it is scored on: optimistic; " +
                            $"the {Dialects.Count - per.Count} dialects the data does not annotate keep the rule in force)"));
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"tuned relative threshold {tuning.RelativeThreshold} (every dialect within that fraction of the top one, absolute threshold 0): macro F1 {tuning.RelativeMacroF1:0.00}"));
                    if (parse.GetValue(save))
                    {
                        var settings = TunedSettings(tuning, used, dataset, LahjaSettings.Load(directory)?.Provenance);
                        settings.Save(directory);
                        io.Error.WriteLine($"lahja: decision rule written to {Path.Combine(directory, LahjaSettings.FileName)}: {settings.Rule.Describe()}");
                    }
                }
            }
            else
            {
                single = SingleLabelScorer.Score(dataset.SingleLabel!, probabilities, rule.Decide);
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"top-1 accuracy {single.Top1Accuracy:0.00} %  arg-max macro F1 {single.ArgMaxMacroF1:0.00}  gold in predicted set {single.GoldInPredictedSet:0.00} %  mean set size {single.MeanPredictedSetSize:0.00}"));
            }
            if (parse.GetValue(report) is { } reportDirectory)
            {
                var files = new EvaluationReport
                {
                    ModelDirectory = directory, DataPath = dataset.Source, DataFormat = dataset.Format, Skipped = dataset.SkippedOutOfSet,
                    Options = used, Predictions = predictions, MultiLabel = multi, SingleLabel = single, Sweep = sweep, Reliability = reliability, Tuning = tuning,
                }.Write(reportDirectory.FullName);
                io.Error.WriteLine($"lahja: report in {reportDirectory.FullName}: {string.Join(", ", files)}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Whether <paramref name="directory"/> is the bundled model (models/default), whose files the repository tracks.</summary>
    private static bool IsBundledModel(string directory) =>
        ModelLocator.BundledModel() is { } bundled &&
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(bundled)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)), StringComparison.Ordinal);

    /// <summary>
    /// The rule --save writes: the better of the tuned absolute and relative rules. Per-dialect thresholds are written only
    /// for the dialects the data annotates; the others keep the rule in force (global threshold, their own thresholds,
    /// relative threshold), which the absolute thresholds were tuned under. The relative rule compares every dialect with
    /// the top one, so it replaces the rule for all 18.
    /// </summary>
    internal static LahjaSettings TunedSettings(ThresholdTuning tuning, DialectIdentifierOptions inForce, LabeledDataset dataset, string? earlierProvenance)
    {
        var absolute = tuning.PerDialectMacroF1 ?? tuning.GlobalMacroF1;
        var useRelative = tuning.RelativeMacroF1 > absolute;
        var rule = useRelative ? string.Create(CultureInfo.InvariantCulture, $"relative threshold {tuning.RelativeThreshold}")
            : tuning.DialectThresholds is { } tuned ? $"thresholds of the {tuned.Count} annotated dialects" : "absolute threshold";
        var provenance = string.Create(CultureInfo.InvariantCulture, $"{rule} from lahja evaluate --tune on {Path.GetFileName(dataset.Source)} ({dataset.Texts.Count} texts), {DateTimeOffset.UtcNow:yyyy-MM-dd}: macro F1 {Math.Max(absolute, tuning.RelativeMacroF1):0.00}");
        provenance = earlierProvenance is null ? provenance : $"{earlierProvenance}; {provenance}";
        float? relativeInForce = inForce.RelativeThreshold is > 0 and var r ? r : null;
        if (useRelative)
            return new LahjaSettings { Threshold = 0, RelativeThreshold = tuning.RelativeThreshold, Provenance = provenance };
        if (tuning.DialectThresholds is not { } perDialect)
            return new LahjaSettings { Threshold = tuning.GlobalThreshold, RelativeThreshold = relativeInForce, Provenance = provenance };
        var thresholds = (inForce.DialectThresholds ?? new Dictionary<Dialect, float>()).ToDictionary(p => p.Key, p => p.Value);
        foreach (var (dialect, threshold) in perDialect) thresholds[dialect] = threshold;
        return new LahjaSettings
        {
            Threshold = inForce.Threshold ?? DecisionRule.DefaultThreshold,
            DialectThresholds = thresholds,
            RelativeThreshold = relativeInForce,
            Provenance = provenance,
        };
    }
}
