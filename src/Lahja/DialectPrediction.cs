namespace Lahja;

/// <summary>A dialect with its probability.</summary>
/// <param name="Dialect">The dialect.</param>
/// <param name="Probability">Sigmoid probability that the text could be said in it.</param>
public readonly record struct DialectScore(Dialect Dialect, float Probability)
{
    /// <summary>The dialect's canonical label.</summary>
    public string Label => Dialect.Label();
}

/// <summary>
/// The model's answer for one text. A text with nothing to classify (<see cref="IsEmpty"/>: empty, whitespace, or
/// nothing left after preprocessing) gets no dialects and an empty <see cref="Top"/>, whatever the thresholds: the model
/// still answers for <c>[CLS] [SEP]</c>, but that answer says nothing about the text (B2BERT puts 17 of 18 dialects
/// above 0.3 for ""). Its <see cref="Probabilities"/> and <see cref="Regions"/> are kept as the model gave them, so
/// they stay comparable with Hugging Face <c>transformers</c> for the same input.
/// </summary>
public sealed class DialectPrediction
{
    private readonly float[] _probabilities;

    internal DialectPrediction(string text, float[] probabilities, IReadOnlyList<DialectScore> dialects, int topK, EmptyTextReason emptyReason = EmptyTextReason.None)
    {
        Text = text;
        _probabilities = probabilities;
        EmptyReason = emptyReason;
        Dialects = IsEmpty ? [] : dialects;
        Top = IsEmpty ? [] : Lahja.Dialects.All.Select(d => new DialectScore(d, probabilities[(int)d]))
            .OrderByDescending(s => s.Probability).ThenBy(s => s.Dialect).Take(topK).ToArray();
        Regions = Lahja.Dialects.RollUp(probabilities);
    }

    /// <summary>True when the text had nothing to classify (<see cref="EmptyReason"/> says why): no dialects, no top.</summary>
    public bool IsEmpty => EmptyReason != EmptyTextReason.None;

    /// <summary>Why the text had nothing to classify, or <see cref="EmptyTextReason.None"/>.</summary>
    public EmptyTextReason EmptyReason { get; }

    /// <summary>
    /// The prediction for <paramref name="text"/> from its 18 probabilities (canonical order), decided with the
    /// <see cref="DialectIdentifierOptions.Rule"/> and top k of <paramref name="options"/>, as <see cref="DialectIdentifier"/> decides: lets stored
    /// probabilities (a distributed job's results) be turned back into predictions without the model. A text with
    /// nothing to classify keeps its <paramref name="emptyReason"/>: no dialects, no top.
    /// </summary>
    public static DialectPrediction FromProbabilities(string text, IReadOnlyList<float> probabilities, DialectIdentifierOptions options, EmptyTextReason emptyReason = EmptyTextReason.None)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(options);
        if (probabilities.Count != Lahja.Dialects.Count)
            throw new ArgumentException($"{probabilities.Count} probabilities; expected {Lahja.Dialects.Count}.", nameof(probabilities));
        return Decide(text, probabilities.ToArray(), options.Rule, options.TopK, emptyReason);
    }

    /// <summary>The prediction for 18 probabilities (owned from now on) decided by <paramref name="rule"/>.</summary>
    internal static DialectPrediction Decide(string text, float[] probabilities, DecisionRule rule, int topK, EmptyTextReason emptyReason)
    {
        var decided = rule.Decide(probabilities);
        var chosen = Lahja.Dialects.All.Where(d => decided[(int)d])
            .Select(d => new DialectScore(d, probabilities[(int)d]))
            .OrderByDescending(s => s.Probability).ThenBy(s => s.Dialect).ToArray();
        return new DialectPrediction(text, probabilities, chosen, topK, emptyReason);
    }

    /// <summary>The input text, as given (before preprocessing).</summary>
    public string Text { get; }

    /// <summary>All 18 probabilities in canonical order (index = <see cref="Dialect"/> value).</summary>
    public IReadOnlyList<float> Probabilities => _probabilities;

    /// <summary>The dialects at or above their threshold, most probable first.</summary>
    public IReadOnlyList<DialectScore> Dialects { get; }

    /// <summary>The k most probable dialects, whatever the threshold.</summary>
    public IReadOnlyList<DialectScore> Top { get; }

    /// <summary>Region probabilities (max over member dialects), in <see cref="Lahja.Dialects.Regions"/> order.</summary>
    public IReadOnlyList<double> Regions { get; }

    /// <summary>The probability of <paramref name="dialect"/>.</summary>
    public float this[Dialect dialect] => _probabilities[(int)dialect];
}
