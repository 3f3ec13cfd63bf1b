namespace Lahja.Torch.Training;

/// <summary>A dev set: texts with multi-label or single-label gold.</summary>
/// <param name="Texts">The texts.</param>
/// <param name="MultiLabel">Multi-label gold, or null.</param>
/// <param name="SingleLabel">Single-label gold, or null.</param>
public sealed record DevSet(IReadOnlyList<string> Texts, IReadOnlyList<bool?[]>? MultiLabel, IReadOnlyList<Dialect>? SingleLabel)
{
    /// <summary>From a labelled dataset.</summary>
    public static DevSet From(Lahja.Data.LabeledDataset data) => new(data.Texts, data.MultiLabel, data.SingleLabel);
}
