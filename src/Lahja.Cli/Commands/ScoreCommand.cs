using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lahja.Evaluation;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja score --gold GOLD --pred PRED [--json]</c>: the official NADI 2024 subtask-1 scorer.</summary>
internal static class ScoreCommand
{
    public static Command Create(CliIO io)
    {
        var gold = new Option<FileInfo>("--gold") { Description = "Gold file: 18 comma-separated 0/1/blank values per line.", Required = true };
        var pred = new Option<FileInfo>("--pred") { Description = "Prediction file: 18 comma-separated 0/1 values per line.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print every metric, unrounded, as JSON (with the confusion counts per dialect)." };
        var command = new Command("score", "Score NADI 2024 subtask-1 predictions exactly as the official scorer does, plus per-dialect and micro metrics.") { gold, pred, json };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var goldPath = parse.GetValue(gold)!.FullName;
            var predPath = parse.GetValue(pred)!.FullName;
            var scores = MultiLabelScorer.Score(NadiFiles.ReadGold(goldPath), NadiFiles.ReadPredictions(predPath), goldPath, predPath);
            if (parse.GetValue(json))
            {
                io.Out.WriteLine(JsonSerializer.Serialize(ScoreJson.From(scores), ScoreJson.Options));
                return 0;
            }
            WriteScores(io.Out, scores);
            return 0;
        }));
        return command;
    }

    /// <summary>The official scorer's lines, then (after a blank line) per-dialect scores and the micro and set metrics.</summary>
    internal static void WriteScores(TextWriter output, MultiLabelScores scores)
    {
        foreach (var line in MultiLabelScorer.OfficialLines(scores)) output.WriteLine(line);
        output.WriteLine();
        output.WriteLine("dialect       precision  recall      F1  accuracy  support");
        foreach (var d in scores.PerDialect)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d.Dialect.Label(),-12} {d.Precision,10:0.00} {d.Recall,7:0.00} {d.F1,7:0.00} {d.Accuracy,9:0.00} {d.Support,8}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"micro P/R/F1 {scores.MicroPrecision:0.00}/{scores.MicroRecall:0.00}/{scores.MicroF1:0.00}  exact match {scores.ExactMatch:0.00} %  Hamming loss {scores.HammingLoss:0.00} %  mean set size {scores.MeanPredictedSetSize:0.00}"));
    }
}

/// <summary>The JSON shape of multi-label scores (report.json and <c>score --json</c>).</summary>
internal static class ScoreJson
{
    public static readonly JsonSerializerOptions Options = new(CliApp.Json) { WriteIndented = true };

    public static object From(MultiLabelScores s) => new
    {
        sentences = s.Sentences,
        scored_dialects = s.PerDialect.Select(d => d.Dialect.Label()).ToArray(),
        macro_precision = s.MacroPrecision,
        macro_recall = s.MacroRecall,
        macro_f1 = s.MacroF1,
        macro_accuracy = s.MacroAccuracy,
        micro_precision = s.MicroPrecision,
        micro_recall = s.MicroRecall,
        micro_f1 = s.MicroF1,
        exact_match = s.ExactMatch,
        hamming_loss = s.HammingLoss,
        mean_predicted_set_size = s.MeanPredictedSetSize,
        per_dialect = s.PerDialect.Select(d => new
        {
            dialect = d.Dialect.Label(), precision = d.Precision, recall = d.Recall, f1 = d.F1, accuracy = d.Accuracy, support = d.Support,
            true_positives = d.TruePositives, false_positives = d.FalsePositives, false_negatives = d.FalseNegatives, true_negatives = d.TrueNegatives,
        }).ToArray(),
    };
}
