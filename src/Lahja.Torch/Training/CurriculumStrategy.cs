namespace Lahja.Torch.Training;

/// <summary>The curriculum strategies.</summary>
public enum CurriculumStrategy
{
    /// <summary>Every example with at least one dialect, every epoch.</summary>
    None,
    /// <summary>
    /// The model card's description: epoch e admits the cardinalities up to a maximum that grows evenly over the
    /// epochs; every admitted cardinality contributes as many examples as the largest newly admitted one (sampled
    /// without replacement, or all of them when fewer), so each epoch is balanced across cardinalities.
    /// </summary>
    CardinalityEpochs,
    /// <summary>
    /// The authors' code (B2BERT.md): stages 1…15, then 18; stage k = all n rows with k dialects, plus single-dialect
    /// replay balanced per country (n // 18 each, without replacement where enough rows exist, with replacement
    /// otherwise), plus for each j in 2…k−1 the rows with j dialects, sampled down to n with replacement when there
    /// are more than n, all of them otherwise. Stages without rows are skipped; each continues the previous weights.
    /// </summary>
    CardinalityStages,
}
