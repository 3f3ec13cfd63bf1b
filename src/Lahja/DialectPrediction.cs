namespace Lahja;

/// <summary>A dialect with its probability.</summary>
/// <param name="Dialect">The dialect.</param>
/// <param name="Probability">Sigmoid probability that the text could be said in it.</param>
public readonly record struct DialectScore(Dialect Dialect, float Probability)
{
    /// <summary>The dialect's canonical label.</summary>
    public string Label => Dialect.Label();
}

/// <summary>The model's answer for one text.</summary>
public sealed class DialectPrediction
{
    private readonly float[] _probabilities;

    internal DialectPrediction(string text, float[] probabilities, IReadOnlyList<DialectScore> dialects, int topK)
    {
        Text = text;
        _probabilities = probabilities;
        Dialects = dialects;
        Top = Lahja.Dialects.All.Select(d => new DialectScore(d, probabilities[(int)d]))
            .OrderByDescending(s => s.Probability).ThenBy(s => s.Dialect).Take(topK).ToArray();
        Regions = Lahja.Dialects.RollUp(probabilities);
    }

    /// <summary>
    /// The prediction for <paramref name="text"/> from its 18 probabilities (canonical order), decided with the
    /// thresholds and top k of <paramref name="options"/>, as <see cref="DialectIdentifier"/> decides: lets stored
    /// probabilities (a distributed job's results) be turned back into predictions without the model.
    /// </summary>
    public static DialectPrediction FromProbabilities(string text, IReadOnlyList<float> probabilities, DialectIdentifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(options);
        if (probabilities.Count != Lahja.Dialects.Count)
            throw new ArgumentException($"{probabilities.Count} probabilities; expected {Lahja.Dialects.Count}.", nameof(probabilities));
        var copy = probabilities.ToArray();
        var decided = options.Decide(copy);
        var chosen = Lahja.Dialects.All.Where(d => decided[(int)d])
            .Select(d => new DialectScore(d, copy[(int)d]))
            .OrderByDescending(s => s.Probability).ThenBy(s => s.Dialect).ToArray();
        return new DialectPrediction(text, copy, chosen, options.TopK);
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
