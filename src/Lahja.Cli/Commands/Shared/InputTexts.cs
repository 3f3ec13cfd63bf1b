using System.Globalization;
using Lahja.Data;

namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// The texts a command reads: its arguments, an <c>--input</c> file (one text per line, or a TSV/CSV column), or
/// standard input; streamed with bounded memory, a line longer than <see cref="TextInput.MaxLineCharacters"/> cut with
/// a warning naming it.
/// </summary>
internal static class InputTexts
{
    /// <summary>The command-line texts, or else every line of standard input.</summary>
    public static IEnumerable<string> FromArgumentsOrStandardInput(IReadOnlyList<string>? arguments, CliIO io) =>
        arguments is { Count: > 0 } ? arguments : WithWarnings(TextInput.ReadLines(io.In, "standard input"), "standard input", io.Error);

    /// <summary>The texts of <paramref name="lines"/>, saying on <paramref name="error"/> which lines were cut.</summary>
    public static IEnumerable<string> WithWarnings(IEnumerable<InputText> lines, string source, TextWriter error)
    {
        foreach (var line in lines)
        {
            if (line.Truncated)
                error.WriteLine($"lahja: warning: {source}:{line.Line}: longer than {TextInput.MaxLineCharacters.ToString("N0", CultureInfo.InvariantCulture)} characters, cut there (the model reads only its first --max-length tokens).");
            yield return line.Text;
        }
    }

    /// <summary>
    /// The lines of <paramref name="file"/>, or its <paramref name="column"/>: the file is opened when enumeration
    /// starts and closed when it ends, so each enumeration reads it once.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown at once, not when enumerated).</exception>
    public static IEnumerable<InputText> ReadFile(FileInfo file, string? column)
    {
        if (!File.Exists(file.FullName)) throw new FileNotFoundException($"Input file '{file.FullName}' does not exist.");
        return Read(file.FullName, column);

        static IEnumerable<InputText> Read(string path, string? column)
        {
            using var stream = File.OpenRead(path);
            foreach (var line in TextInput.Read(stream, path, column, TextInput.DelimiterFor(path))) yield return line;
        }
    }

    /// <summary>Refuses a .tsv/.csv file that looks like a table with a header when no column was chosen: the message lists the columns.</summary>
    /// <exception cref="UsageException">The file has a header and <paramref name="column"/> is null.</exception>
    public static void RequireColumnOfATable(FileInfo file, string? column)
    {
        if (column is null && file.Exists && TextInput.HeaderColumns(file.FullName) is { } columns)
            throw new UsageException($"{file.FullName} looks like a table with a header; choose the column to classify with --column NAME or NUMBER. Columns: {ColumnList(columns)}.");
    }

    /// <summary>Keeps the one-line-per-input contract even if a step ever let a line break through.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>Column names for a message: quoted, control characters escaped, long names and long lists shortened.</summary>
    private static string ColumnList(IReadOnlyList<string> columns)
    {
        const int maxColumns = 20, maxName = 40;
        static string Show(string name)
        {
            var escaped = string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
            return "'" + (escaped.Length > maxName ? escaped[..(maxName - 1)] + "…" : escaped) + "'";
        }
        var shown = string.Join(", ", columns.Take(maxColumns).Select((name, i) => $"{i + 1} {Show(name)}"));
        return columns.Count > maxColumns ? $"{shown}, … ({columns.Count} in all)" : shown;
    }
}
