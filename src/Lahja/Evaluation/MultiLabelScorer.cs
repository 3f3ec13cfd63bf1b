namespace Lahja.Evaluation;

/// <summary>Scores of one dialect (binary, positive class), percentages as the official scorer reports them.</summary>
/// <param name="Dialect">The dialect.</param>
/// <param name="TruePositives">Predicted and gold.</param>
/// <param name="FalsePositives">Predicted, not gold.</param>
/// <param name="FalseNegatives">Gold, not predicted.</param>
/// <param name="TrueNegatives">Neither.</param>
public sealed record DialectScores(Dialect Dialect, int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives)
{
    /// <summary>Precision ×100; 0 when nothing is predicted positive (as scikit-learn's zero_division=0).</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : 100.0 * TruePositives / (TruePositives + FalsePositives);

    /// <summary>Recall ×100; 0 when the gold has no positive.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : 100.0 * TruePositives / (TruePositives + FalseNegatives);

    /// <summary>F1 ×100; 0 when precision and recall are both 0.</summary>
    public double F1 => 2 * TruePositives + FalsePositives + FalseNegatives == 0 ? 0 : 100.0 * 2 * TruePositives / (2 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>Accuracy ×100.</summary>
    public double Accuracy => 100.0 * (TruePositives + TrueNegatives) / Math.Max(1, Total);

    /// <summary>Gold positives.</summary>
    public int Support => TruePositives + FalseNegatives;

    /// <summary>Sentences scored.</summary>
    public int Total => TruePositives + FalsePositives + FalseNegatives + TrueNegatives;
}

/// <summary>The result of scoring multi-label predictions against NADI-style gold.</summary>
public sealed record MultiLabelScores
{
    /// <summary>Per scored dialect, in canonical order.</summary>
    public required IReadOnlyList<DialectScores> PerDialect { get; init; }
    /// <summary>Sentences scored.</summary>
    public required int Sentences { get; init; }
    /// <summary>Plain mean of per-dialect precision (the official macro precision).</summary>
    public double MacroPrecision => PerDialect.Average(d => d.Precision);
    /// <summary>Plain mean of per-dialect recall.</summary>
    public double MacroRecall => PerDialect.Average(d => d.Recall);
    /// <summary>Plain mean of per-dialect F1 — not the F1 of macro P and R.</summary>
    public double MacroF1 => PerDialect.Average(d => d.F1);
    /// <summary>Plain mean of per-dialect accuracy.</summary>
    public double MacroAccuracy => PerDialect.Average(d => d.Accuracy);
    /// <summary>Micro precision ×100 over scored dialects.</summary>
    public double MicroPrecision => Ratio(PerDialect.Sum(d => d.TruePositives), PerDialect.Sum(d => d.TruePositives + d.FalsePositives));
    /// <summary>Micro recall ×100 over scored dialects.</summary>
    public double MicroRecall => Ratio(PerDialect.Sum(d => d.TruePositives), PerDialect.Sum(d => d.TruePositives + d.FalseNegatives));
    /// <summary>Micro F1 ×100 over scored dialects.</summary>
    public double MicroF1 => Ratio(2 * PerDialect.Sum(d => d.TruePositives), PerDialect.Sum(d => 2 * d.TruePositives + d.FalsePositives + d.FalseNegatives));
    /// <summary>Share of sentences whose scored dialects are all right, ×100.</summary>
    public required double ExactMatch { get; init; }
    /// <summary>Share of wrong (sentence, scored dialect) decisions, ×100.</summary>
    public double HammingLoss => Ratio(PerDialect.Sum(d => d.FalsePositives + d.FalseNegatives), PerDialect.Sum(d => d.Total));
    /// <summary>Mean number of dialects predicted per sentence, over all 18.</summary>
    public required double MeanPredictedSetSize { get; init; }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : 100.0 * numerator / denominator;
}

/// <summary>
/// The official NADI 2024 subtask-1 scoring: the dialects scored are those with a 0/1 in the first gold line; for each,
/// binary precision, recall, F1 (positive class) and accuracy over all sentences; macro scores are plain means.
/// </summary>
public static class MultiLabelScorer
{
    /// <summary>Scores <paramref name="predicted"/> against <paramref name="gold"/>.</summary>
    /// <exception cref="InvalidDataException">Counts differ, or a scored dialect is blank in a later gold line.</exception>
    public static MultiLabelScores Score(IReadOnlyList<bool?[]> gold, IReadOnlyList<IReadOnlyList<bool>> predicted, string goldName = "gold", string predictedName = "predictions")
    {
        if (gold.Count == 0) throw new InvalidDataException($"{goldName} has no lines.");
        if (gold.Count != predicted.Count)
            throw new InvalidDataException($"{goldName} has {gold.Count} lines but {predictedName} has {predicted.Count}.");
        var scored = Enumerable.Range(0, Dialects.Count).Where(i => gold[0][i].HasValue).ToArray();
        if (scored.Length == 0) throw new InvalidDataException($"{goldName}:1 annotates no dialect.");
        var counts = new int[Dialects.Count, 4];
        var exact = 0;
        long predictedTotal = 0;
        for (var row = 0; row < gold.Count; row++)
        {
            var allRight = true;
            for (var d = 0; d < Dialects.Count; d++) if (predicted[row][d]) predictedTotal++;
            foreach (var d in scored)
            {
                var g = gold[row][d] ?? throw new InvalidDataException($"{goldName}:{row + 1}: {Dialects.Table[d].Label} is blank, but the first line annotates it.");
                var p = predicted[row][d];
                counts[d, (g, p) switch { (true, true) => 0, (false, true) => 1, (true, false) => 2, _ => 3 }]++;
                allRight &= g == p;
            }
            if (allRight) exact++;
        }
        return new MultiLabelScores
        {
            PerDialect = scored.Select(d => new DialectScores((Dialect)d, counts[d, 0], counts[d, 1], counts[d, 2], counts[d, 3])).ToArray(),
            Sentences = gold.Count,
            ExactMatch = 100.0 * exact / gold.Count,
            MeanPredictedSetSize = (double)predictedTotal / gold.Count,
        };
    }

    /// <summary>The official scorer's console lines, same order and rounding.</summary>
    public static IEnumerable<string> OfficialLines(MultiLabelScores scores) =>
    [
        "OVERALL SCORES:",
        FormattableString.Invariant($"MACRO AVERAGE PRECISION SCORE: {scores.MacroPrecision:F2} %"),
        FormattableString.Invariant($"MACRO AVERAGE RECALL SCORE: {scores.MacroRecall:F2} %"),
        FormattableString.Invariant($"MACRO AVERAGE F1 SCORE: {scores.MacroF1:F2} %"),
        FormattableString.Invariant($"MACRO AVERAGE ACCURACY: {scores.MacroAccuracy:F2} %"),
    ];
}
