namespace Lahja.Cli.Commands.Shared;

/// <summary>How commands word what a labelled data set held, the same way wherever it was read.</summary>
internal static class DatasetReport
{
    /// <summary>"; skipped outside the 18: Label n, …" (with <paramref name="separator"/> first), or empty when nothing was skipped.</summary>
    public static string Skipped(IReadOnlyDictionary<string, int> skippedOutOfSet, string separator = ", ") =>
        skippedOutOfSet.Count > 0 ? $"{separator}skipped outside the 18: {string.Join(", ", skippedOutOfSet.Select(p => $"{p.Key} {p.Value}"))}" : "";
}
