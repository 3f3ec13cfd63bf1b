using Lahja.Evaluation;

namespace Lahja.Tests.Evaluation;

public class ThresholdAnalysisTests
{
    // Two scored dialects; Algeria's positives score 0.6 and negatives 0.25; Egypt's positives 0.2 and negatives 0.1.
    private static (bool?[][] Gold, float[][] Probabilities) Data()
    {
        var gold = new List<bool?[]>();
        var probabilities = new List<float[]>();
        for (var i = 0; i < 8; i++)
        {
            var g = new bool?[18];
            var p = new float[18];
            g[0] = i % 2 == 0;
            p[0] = i % 2 == 0 ? 0.6f : 0.25f;
            g[2] = i < 4;
            p[2] = i < 4 ? 0.2f : 0.1f;
            gold.Add(g);
            probabilities.Add(p);
        }
        return (gold.ToArray(), probabilities.ToArray());
    }

    [Fact]
    public void Global_tuning_finds_the_best_threshold_and_per_dialect_tuning_beats_it()
    {
        var (gold, probabilities) = Data();
        var tuning = ThresholdAnalysis.Tune(gold, probabilities, perDialect: true);
        // At 0.3 Algeria is perfect (F1 100) and Egypt never predicted (0): macro 50. At <= 0.2 Egypt is perfect but
        // Algeria predicts everything (F1 66.67): macro 83.33, the best any single threshold gets.
        Assert.Equal(50.0, tuning.DefaultMacroF1, 9);
        Assert.Equal(250.0 / 3, tuning.GlobalMacroF1, 9);
        Assert.InRange(tuning.GlobalThreshold, 0.11f, 0.2f);
        Assert.Equal(100.0, tuning.PerDialectMacroF1!.Value, 9);
        Assert.InRange(tuning.DialectThresholds![Dialect.Algeria], 0.26f, 0.6f);
        Assert.InRange(tuning.DialectThresholds[Dialect.Egypt], 0.11f, 0.2f);
    }

    [Fact]
    public void The_relative_rule_is_tuned_and_wins_where_probabilities_only_rank_well_within_a_sentence()
    {
        // Each sentence's scale differs (0.02 … 0.9 at the top), so no absolute threshold separates the gold dialects,
        // but "within half of the top" does exactly.
        var gold = new List<bool?[]>();
        var probabilities = new List<float[]>();
        for (var i = 0; i < 10; i++)
        {
            var scale = i % 2 == 0 ? 0.02f : 0.9f;
            var g = new bool?[18];
            var p = new float[18];
            for (var d = 0; d < 18; d++)
            {
                var positive = d == i || d == i + 1;
                g[d] = d <= 10 ? positive : null; // the dialects that occur are the ones scored
                p[d] = scale * (positive ? (d == i ? 1f : 0.8f) : 0.1f);
            }
            gold.Add(g);
            probabilities.Add(p);
        }
        var tuning = ThresholdAnalysis.Tune(gold, probabilities, perDialect: false);
        Assert.Equal(100.0, tuning.RelativeMacroF1, 9);
        Assert.InRange(tuning.RelativeThreshold, 0.11f, 0.8f);
        Assert.True(tuning.GlobalMacroF1 < 100.0);
        Assert.All(ThresholdAnalysis.Decide(probabilities, DecisionRule.Relative(tuning.RelativeThreshold)).Zip(gold),
            pair => Assert.Equal(pair.Second.Take(11).Select(x => x == true), pair.First.Take(11)));
    }

    [Fact]
    public void Options_decide_with_both_the_absolute_and_the_relative_threshold()
    {
        var p = new float[18];
        p[1] = 0.5f;
        p[2] = 0.2f;
        p[3] = 0.05f;
        Assert.Equal([1], Chosen(new DialectIdentifierOptions().Decide(p)));
        Assert.Equal([1, 2], Chosen(new DialectIdentifierOptions { Threshold = 0.1f }.Decide(p)));
        Assert.Equal([1, 2, 3], Chosen(new DialectIdentifierOptions { Threshold = 0f, RelativeThreshold = 0.1f }.Decide(p)));
        Assert.Equal([1, 2], Chosen(new DialectIdentifierOptions { Threshold = 0f, RelativeThreshold = 0.3f }.Decide(p)));
        Assert.Equal([1], Chosen(new DialectIdentifierOptions { Threshold = 0.3f, RelativeThreshold = 0.1f }.Decide(p)));
        static int[] Chosen(bool[] decided) => Enumerable.Range(0, 18).Where(d => decided[d]).ToArray();
    }

    [Fact]
    public void Sweep_covers_005_to_095()
    {
        var (gold, probabilities) = Data();
        var sweep = ThresholdAnalysis.Sweep(gold, probabilities);
        Assert.Equal(19, sweep.Count);
        Assert.Equal(0.05f, sweep[0].Threshold);
        Assert.Equal(0.95f, sweep[^1].Threshold);
        Assert.Equal(50.0, sweep.Single(p => p.Threshold == 0.3f).MacroF1, 9);
    }

    [Fact]
    public void Reliability_bins_count_annotated_pairs()
    {
        var (gold, probabilities) = Data();
        var bins = ThresholdAnalysis.Reliability(gold, probabilities);
        Assert.Equal(16, bins.Sum(b => b.Count));
        var six = bins.Single(b => b.Lower == 0.6);
        Assert.Equal(4, six.Count);
        Assert.Equal(1.0, six.PositiveRate);
        Assert.Equal(0.5, bins.Single(b => b.Lower == 0.2).PositiveRate); // Algeria's 0.25 negatives, Egypt's 0.2 positives
        Assert.True(double.IsNaN(bins.Single(b => b.Lower == 0.9).MeanProbability));
    }

    [Fact]
    public void Single_label_scores()
    {
        float[] P(int best, int second) { var p = new float[18]; p[best] = 0.9f; p[second] = 0.5f; return p; }
        var gold = new[] { Dialect.Egypt, Dialect.Egypt, Dialect.Iraq, Dialect.Iraq };
        var probs = new IReadOnlyList<float>[] { P(2, 3), P(3, 2), P(3, 2), P(3, 0) };
        var s = SingleLabelScorer.Score(gold, probs, _ => 0.3f);
        Assert.Equal(75.0, s.Top1Accuracy, 9);
        // Egypt: TP 1, FN 1 -> F1 66.67; Iraq: TP 2, FP 1 -> F1 80.
        Assert.Equal((200.0 / 3 + 80) / 2, s.ArgMaxMacroF1, 9);
        Assert.Equal(100.0, s.GoldInPredictedSet, 9);
        Assert.Equal(2.0, s.MeanPredictedSetSize, 9);
    }
}
