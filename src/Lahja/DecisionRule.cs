using System.Globalization;
using System.Text;

namespace Lahja;

/// <summary>
/// Which dialects a text is predicted to have, given its 18 probabilities: every dialect at or above its absolute
/// threshold (<see cref="Threshold"/>, or its own in <see cref="DialectThresholds"/>) and at or above
/// <see cref="RelativeThreshold"/> × the top dialect's probability. The one place the rule is written: the identifier,
/// evaluation and tuning, the local teacher, <c>lahja.json</c> and the server's per-request overrides
/// (<c>rule with { Threshold = … }</c>) all decide with it.
/// </summary>
/// <remarks>
/// Thresholds are <see cref="float"/>, as the probabilities are (the models' float32 outputs): a probability is compared
/// with a threshold, and the relative floor is computed, in float, so a rule tuned on stored probabilities decides
/// exactly as the identifier decides after the rule is saved to and read back from <c>lahja.json</c>.
/// </remarks>
public sealed record DecisionRule
{
    /// <summary>B2BERT's decision threshold.</summary>
    public const float DefaultThreshold = 0.3f;

    /// <summary>B2BERT's rule: every dialect at or above 0.3.</summary>
    public static DecisionRule Default { get; } = new();

    /// <summary>A dialect is predicted when its probability is at or above this (default 0.3).</summary>
    public float Threshold { get; init; } = DefaultThreshold;

    /// <summary>Thresholds that replace <see cref="Threshold"/> for the dialects they name (null: none).</summary>
    public IReadOnlyDictionary<Dialect, float>? DialectThresholds { get; init; }

    /// <summary>
    /// A dialect also needs at least this fraction of the top dialect's probability (0: off). With
    /// <see cref="Threshold"/> 0, "every dialect within r × the top": the rule of the local teacher and the bundled model.
    /// </summary>
    public float RelativeThreshold { get; init; }

    /// <summary>The relative rule alone: every dialect whose probability is at least <paramref name="relativeThreshold"/> × the top one's.</summary>
    public static DecisionRule Relative(float relativeThreshold) => new() { Threshold = 0, RelativeThreshold = relativeThreshold };

    /// <summary>The absolute threshold in force for <paramref name="dialect"/>.</summary>
    public float ThresholdFor(Dialect dialect) =>
        DialectThresholds is not null && DialectThresholds.TryGetValue(dialect, out var t) ? t : Threshold;

    /// <summary>The predicted dialects for 18 probabilities in canonical order (index = <see cref="Dialect"/> value).</summary>
    public bool[] Decide(IReadOnlyList<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count != Dialects.Count)
            throw new ArgumentException($"{probabilities.Count} probabilities; expected {Dialects.Count}.", nameof(probabilities));
        var top = 0f;
        for (var d = 0; d < Dialects.Count; d++) top = Math.Max(top, probabilities[d]);
        var floor = RelativeThreshold * top;
        var chosen = new bool[Dialects.Count];
        for (var d = 0; d < Dialects.Count; d++)
            chosen[d] = probabilities[d] >= ThresholdFor((Dialect)d) && probabilities[d] >= floor;
        return chosen;
    }

    /// <summary>Throws when a threshold is outside [0, 1] or not a number; the message names it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is out of range.</exception>
    public void Validate()
    {
        if (!IsFraction(RelativeThreshold))
            throw new ArgumentOutOfRangeException(nameof(RelativeThreshold), RelativeThreshold, "The relative threshold must be between 0 and 1.");
        if (!IsFraction(Threshold)) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "The threshold must be between 0 and 1.");
        if (DialectThresholds?.Values.Any(t => !IsFraction(t)) == true)
            throw new ArgumentOutOfRangeException(nameof(DialectThresholds), "Every threshold must be between 0 and 1.");
    }

    /// <summary>Whether <paramref name="value"/> can be a threshold: in [0, 1] (NaN is not).</summary>
    public static bool IsFraction(float value) => value is >= 0 and <= 1;

    /// <summary>The rule in words, for logs and reports (values rounded to 6 decimals).</summary>
    public string Describe()
    {
        static string N(float v) => Math.Round((double)v, 6).ToString(CultureInfo.InvariantCulture);
        var rule = new StringBuilder($"a dialect is predicted when its probability is at least {N(Threshold)}");
        if (DialectThresholds is { Count: > 0 } per)
            rule.Append(CultureInfo.InvariantCulture, $" (per dialect: {string.Join(", ", per.OrderBy(p => p.Key).Select(p => $"{p.Key.Label()} {N(p.Value)}"))})");
        rule.Append(RelativeThreshold > 0 ? $" and at least {N(RelativeThreshold)} × the top dialect's probability" : "; no relative threshold");
        return rule.ToString();
    }

    /// <summary>Equal when they decide alike: same thresholds, per-dialect thresholds compared by content.</summary>
    public bool Equals(DecisionRule? other) =>
        other is not null && Threshold.Equals(other.Threshold) && RelativeThreshold.Equals(other.RelativeThreshold)
        && SameThresholds(DialectThresholds, other.DialectThresholds);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Threshold, RelativeThreshold, DialectThresholds?.Count ?? 0);

    // An empty map decides as no map: both leave every dialect to Threshold.
    private static bool SameThresholds(IReadOnlyDictionary<Dialect, float>? a, IReadOnlyDictionary<Dialect, float>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(p => b!.TryGetValue(p.Key, out var t) && t.Equals(p.Value)));
}
