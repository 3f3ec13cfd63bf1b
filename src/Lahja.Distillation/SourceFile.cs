namespace Lahja.Distillation;

/// <summary>What one input file of a labelling run gave (for the run's report).</summary>
/// <param name="Name">The file's name, as rows name their <see cref="SourceRow.Source"/>.</param>
/// <param name="Rows">Rows read from it.</param>
/// <param name="Format">Its data set format (<see cref="Data.LabeledDataset.Format"/>); null for plain text, one sentence per line.</param>
/// <param name="SkippedOutOfSet">Rows skipped because their label is not one of the 18, by label.</param>
public sealed record SourceFile(string Name, int Rows, string? Format, IReadOnlyDictionary<string, int> SkippedOutOfSet);
