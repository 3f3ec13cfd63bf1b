namespace Lahja.Torch.Training;

/// <summary>A text with its multi-label target (canonical dialect order).</summary>
/// <param name="Text">The text.</param>
/// <param name="Labels">18 booleans: the dialects the text can be said in (they decide the curriculum).</param>
/// <param name="SoftTargets">
/// Optional soft targets (18 probabilities from a teacher, for distillation); when given, the loss learns these instead
/// of <paramref name="Labels"/>.
/// </param>
public sealed record TrainingExample(string Text, bool[] Labels, float[]? SoftTargets = null)
{
    /// <summary>Number of dialects, with B2BERT's folding: 16 or 17 dialects count as all 18.</summary>
    public int Cardinality
    {
        get
        {
            var k = Labels.Count(x => x);
            return k is 16 or 17 ? Dialects.Count : k;
        }
    }

    /// <summary>The target as B2BERT trained on it: rows with 16 or 17 dialects set to all 18.</summary>
    public bool[] Target => Labels.Count(x => x) is 16 or 17 ? Enumerable.Repeat(true, Dialects.Count).ToArray() : Labels;

    /// <summary>What the loss learns: the soft targets when given, else <see cref="Target"/> as 0/1.</summary>
    public float[] LossTarget => SoftTargets ?? Target.Select(x => x ? 1f : 0f).ToArray();
}
