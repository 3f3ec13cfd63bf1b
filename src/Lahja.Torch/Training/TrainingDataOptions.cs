namespace Lahja.Torch.Training;

/// <summary>How <see cref="TrainingData.Read"/> reads training files.</summary>
public sealed record TrainingDataOptions
{
    /// <summary>
    /// Folder of the NADI training TSVs, for label files that point into them (<c>train_id</c>, <c>nadi_source</c>:
    /// B2BERT's teacher-label layout); null when the files hold their texts.
    /// </summary>
    public string? NadiTrainDirectory { get; init; }

    /// <summary>Skip malformed rows (each listed in <see cref="TrainingFile.BadRows"/>) instead of stopping at the first.</summary>
    public bool SkipBadRows { get; init; }

    /// <summary>Learn the teachers' probabilities (<c>p_&lt;dialect&gt;</c> columns), which every file must then have.</summary>
    public bool SoftTargets { get; init; }

    /// <summary>Drop examples whose text repeats an earlier one (the first is kept).</summary>
    public bool Dedupe { get; init; }
}
