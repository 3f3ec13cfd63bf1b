namespace Lahja.Evaluation;

/// <summary>One point of a threshold sweep.</summary>
/// <param name="Threshold">The global threshold.</param>
/// <param name="MacroPrecision">Official macro precision at it.</param>
/// <param name="MacroRecall">Official macro recall at it.</param>
/// <param name="MacroF1">Official macro F1 at it.</param>
public readonly record struct ThresholdPoint(float Threshold, double MacroPrecision, double MacroRecall, double MacroF1);

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Lower">Bin's lower edge.</param>
/// <param name="Upper">Bin's upper edge.</param>
/// <param name="MeanProbability">Mean predicted probability in the bin.</param>
/// <param name="PositiveRate">Share of gold positives in the bin.</param>
/// <param name="Count">(sentence, dialect) pairs in the bin.</param>
public readonly record struct ReliabilityBin(double Lower, double Upper, double MeanProbability, double PositiveRate, int Count);

/// <summary>Result of threshold tuning.</summary>
/// <param name="GlobalThreshold">The best single threshold.</param>
/// <param name="GlobalMacroF1">Macro F1 at it.</param>
/// <param name="DefaultMacroF1">Macro F1 at B2BERT's 0.3.</param>
/// <param name="DialectThresholds">Per scored (annotated) dialect only, the threshold maximising its F1 (null when not asked).</param>
/// <param name="PerDialectMacroF1">Macro F1 with those thresholds (null when not asked).</param>
/// <param name="RelativeThreshold">The relative threshold (absolute 0) maximising macro F1.</param>
/// <param name="RelativeMacroF1">Macro F1 at it.</param>
/// <param name="RelativeFloor">The relative threshold in force under which the absolute thresholds were tuned (0: none).</param>
public sealed record ThresholdTuning(float GlobalThreshold, double GlobalMacroF1, double DefaultMacroF1,
    IReadOnlyDictionary<Dialect, float>? DialectThresholds, double? PerDialectMacroF1, float RelativeThreshold = 0, double RelativeMacroF1 = 0,
    float RelativeFloor = 0);

/// <summary>Threshold sweeps, tuning and calibration of probabilities against NADI-style gold.</summary>
public static class ThresholdAnalysis
{
    /// <summary>The sweep grid 0.05, 0.10, …, 0.95.</summary>
    public static IReadOnlyList<float> Grid { get; } = Enumerable.Range(1, 19).Select(i => (float)Math.Round(i * 0.05, 2)).ToArray();

    /// <summary>The decisions of <paramref name="rule"/> for each text's probabilities (canonical order).</summary>
    public static bool[][] Decide(IReadOnlyList<IReadOnlyList<float>> probabilities, DecisionRule rule)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(rule);
        return probabilities.Select(rule.Decide).ToArray();
    }

    /// <summary>Official macro P/R/F1 at each global threshold of <see cref="Grid"/>.</summary>
    public static IReadOnlyList<ThresholdPoint> Sweep(IReadOnlyList<bool?[]> gold, IReadOnlyList<IReadOnlyList<float>> probabilities) =>
        Grid.Select(t =>
        {
            var s = MultiLabelScorer.Score(gold, Decide(probabilities, new DecisionRule { Threshold = t }));
            return new ThresholdPoint(t, s.MacroPrecision, s.MacroRecall, s.MacroF1);
        }).ToArray();

    /// <summary>
    /// The global threshold (0.001–0.009 and 0.01–0.99 grid) maximising official macro F1, and optionally each scored
    /// (annotated) dialect's own best threshold (macro F1 is a plain mean, so per-dialect optima combine); dialects the
    /// gold does not annotate get none. Absolute thresholds are tuned under <paramref name="relativeFloor"/> (the relative
    /// threshold in force, 0: none), so that keeping it gives the scores reported. Ties go to the threshold nearest 0.3.
    /// </summary>
    public static ThresholdTuning Tune(IReadOnlyList<bool?[]> gold, IReadOnlyList<IReadOnlyList<float>> probabilities, bool perDialect, float relativeFloor = 0)
    {
        // Ordered by the decimals' distance from 0.3 (computed in double, so that ties between 0.25 and 0.35 stay as they were).
        var candidates = Enumerable.Range(1, 9).Select(i => i / 1000.0).Concat(Enumerable.Range(1, 99).Select(i => i / 100.0))
            .OrderBy(t => Math.Abs(t - 0.3)).Select(t => (float)t).ToArray();
        var underFloor = new DecisionRule { RelativeThreshold = relativeFloor };
        double MacroF1(DecisionRule rule) => MultiLabelScorer.Score(gold, Decide(probabilities, rule)).MacroF1;
        var best = candidates.MaxBy(t => MacroF1(underFloor with { Threshold = t }));
        Dictionary<Dialect, float>? perDialectThresholds = null;
        double? perDialectF1 = null;
        if (perDialect)
        {
            perDialectThresholds = [];
            foreach (var d in MultiLabelScorer.Score(gold, Decide(probabilities, new DecisionRule { Threshold = best })).PerDialect.Select(s => s.Dialect))
            {
                perDialectThresholds[d] = candidates.MaxBy(t =>
                    MultiLabelScorer.Score(gold, Decide(probabilities, underFloor with { Threshold = best, DialectThresholds = new Dictionary<Dialect, float> { [d] = t } }))
                        .PerDialect.First(s => s.Dialect == d).F1);
            }
            perDialectF1 = MacroF1(underFloor with { Threshold = best, DialectThresholds = perDialectThresholds });
        }
        // The relative rule: ties go to the larger ratio (fewer dialects).
        var relative = candidates.OrderByDescending(r => r).MaxBy(r => MacroF1(DecisionRule.Relative(r)));
        return new ThresholdTuning(best, MacroF1(underFloor with { Threshold = best }), MacroF1(underFloor), perDialectThresholds, perDialectF1,
            relative, MacroF1(DecisionRule.Relative(relative)), relativeFloor);
    }

    /// <summary>Reliability diagram bins (equal width) over every annotated (sentence, dialect) pair.</summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<bool?[]> gold, IReadOnlyList<IReadOnlyList<float>> probabilities, int bins = 10)
    {
        var sums = new double[bins];
        var positives = new int[bins];
        var counts = new int[bins];
        for (var i = 0; i < gold.Count; i++)
            for (var d = 0; d < Dialects.Count; d++)
            {
                if (gold[i][d] is not { } g) continue;
                var p = probabilities[i][d];
                var b = Math.Min(bins - 1, (int)(p * bins));
                sums[b] += p;
                counts[b]++;
                if (g) positives[b]++;
            }
        return Enumerable.Range(0, bins).Select(b => new ReliabilityBin((double)b / bins, (double)(b + 1) / bins,
            counts[b] == 0 ? double.NaN : sums[b] / counts[b], counts[b] == 0 ? double.NaN : (double)positives[b] / counts[b], counts[b])).ToArray();
    }
}
