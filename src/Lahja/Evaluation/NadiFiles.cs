namespace Lahja.Evaluation;

/// <summary>
/// The NADI 2024 subtask-1 file formats: one line per sentence, 18 comma-separated values in canonical dialect order.
/// Predictions hold <c>0</c>/<c>1</c>; gold holds <c>0</c>, <c>1</c> or nothing (dialect not annotated).
/// </summary>
public static class NadiFiles
{
    /// <summary>Reads a gold file: null where a dialect was not annotated.</summary>
    /// <exception cref="InvalidDataException">A line is malformed; the message names file, line and problem.</exception>
    public static IReadOnlyList<bool?[]> ReadGold(string path) => Read(path, allowBlank: true);

    /// <summary>Reads a prediction file (every value 0 or 1).</summary>
    /// <exception cref="InvalidDataException">A line is malformed; the message names file, line and problem.</exception>
    public static IReadOnlyList<bool[]> ReadPredictions(string path) =>
        Read(path, allowBlank: false).Select(row => row.Select(v => v!.Value).ToArray()).ToList();

    /// <summary>Formats one prediction line.</summary>
    public static string FormatLine(IReadOnlyList<bool> predicted) => string.Join(',', predicted.Select(p => p ? '1' : '0'));

    private static List<bool?[]> Read(string path, bool allowBlank)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        var rows = new List<bool?[]>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 && lineNumber > 0)
            {
                // A trailing empty line is tolerated only at the very end (checked after the loop).
                rows.Add(null!);
                continue;
            }
            var fields = line.Split(',');
            if (fields.Length != Dialects.Count)
                throw new InvalidDataException($"{path}:{lineNumber}: {fields.Length} comma-separated values, expected {Dialects.Count} (one per dialect, Algeria … Yemen).");
            var row = new bool?[Dialects.Count];
            for (var i = 0; i < fields.Length; i++)
            {
                row[i] = fields[i].Trim() switch
                {
                    "1" => true,
                    "0" => false,
                    "" when allowBlank => null,
                    var other => throw new InvalidDataException(
                        $"{path}:{lineNumber}: value {i + 1} ({Dialects.Table[i].Label}) is '{other}', expected 0 or 1{(allowBlank ? " or empty" : "")}."),
                };
            }
            rows.Add(row);
        }
        while (rows.Count > 0 && rows[^1] is null) rows.RemoveAt(rows.Count - 1);
        var blank = rows.FindIndex(r => r is null);
        if (blank >= 0) throw new InvalidDataException($"{path}:{blank + 1}: empty line.");
        return rows;
    }
}
