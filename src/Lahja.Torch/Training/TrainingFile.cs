namespace Lahja.Torch.Training;

/// <summary>What one training file gave (for the run's report).</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">Its format, as <see cref="Data.LabeledDataset.Format"/> names it.</param>
/// <param name="Examples">Examples read from it (before de-duplication).</param>
/// <param name="BadRows">Malformed rows skipped, with file and line (<see cref="TrainingDataOptions.SkipBadRows"/>).</param>
/// <param name="SkippedOutOfSet">Rows skipped because their label is not one of the 18, by label.</param>
public sealed record TrainingFile(string Path, string Format, int Examples, IReadOnlyList<string> BadRows, IReadOnlyDictionary<string, int> SkippedOutOfSet);
