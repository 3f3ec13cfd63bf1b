namespace Lahja.Evaluation;

/// <summary>Scores of a multi-label model on single-label gold (NADI 2020–2023: one country per tweet).</summary>
public sealed record SingleLabelScores
{
    /// <summary>Share of texts whose most probable dialect is the gold one, ×100.</summary>
    public required double Top1Accuracy { get; init; }
    /// <summary>Macro F1 ×100 of the arg-max decision, over the dialects present in gold or predictions.</summary>
    public required double ArgMaxMacroF1 { get; init; }
    /// <summary>Share of texts whose gold dialect is in the predicted set (at or above threshold), ×100.</summary>
    public required double GoldInPredictedSet { get; init; }
    /// <summary>Mean predicted-set size.</summary>
    public required double MeanPredictedSetSize { get; init; }
    /// <summary>Texts scored.</summary>
    public required int Texts { get; init; }
}

/// <summary>Single-label evaluation of multi-label probabilities.</summary>
public static class SingleLabelScorer
{
    /// <summary>Scores probabilities (canonical order) against one gold dialect per text.</summary>
    public static SingleLabelScores Score(IReadOnlyList<Dialect> gold, IReadOnlyList<IReadOnlyList<float>> probabilities, Func<Dialect, float> threshold) =>
        Score(gold, probabilities, p => Enumerable.Range(0, Dialects.Count).Select(d => p[d] >= threshold((Dialect)d)).ToArray());

    /// <summary>Scores probabilities against one gold dialect per text, with a decision rule for the predicted set.</summary>
    public static SingleLabelScores Score(IReadOnlyList<Dialect> gold, IReadOnlyList<IReadOnlyList<float>> probabilities, Func<IReadOnlyList<float>, bool[]> decide)
    {
        if (gold.Count != probabilities.Count) throw new ArgumentException($"{gold.Count} gold labels for {probabilities.Count} predictions.");
        if (gold.Count == 0) throw new ArgumentException("Nothing to score.");
        var tp = new int[Dialects.Count];
        var fp = new int[Dialects.Count];
        var fn = new int[Dialects.Count];
        int correct = 0, inSet = 0;
        long setSizes = 0;
        for (var i = 0; i < gold.Count; i++)
        {
            var p = probabilities[i];
            var best = 0;
            for (var d = 1; d < Dialects.Count; d++) if (p[d] > p[best]) best = d;
            var g = (int)gold[i];
            if (best == g) { correct++; tp[g]++; }
            else { fp[best]++; fn[g]++; }
            var chosen = decide(p);
            setSizes += chosen.Count(x => x);
            if (chosen[g]) inSet++;
        }
        var present = Enumerable.Range(0, Dialects.Count).Where(d => tp[d] + fp[d] + fn[d] > 0).ToArray();
        var macroF1 = present.Average(d => 2 * tp[d] + fp[d] + fn[d] == 0 ? 0 : 100.0 * 2 * tp[d] / (2 * tp[d] + fp[d] + fn[d]));
        return new SingleLabelScores
        {
            Top1Accuracy = 100.0 * correct / gold.Count,
            ArgMaxMacroF1 = macroF1,
            GoldInPredictedSet = 100.0 * inSet / gold.Count,
            MeanPredictedSetSize = (double)setSizes / gold.Count,
            Texts = gold.Count,
        };
    }
}
