using System.Globalization;
using Lahja.Data;

namespace Lahja.Distillation;

/// <summary>The rows of a labelling run, read from data sets and plain-text files.</summary>
public static class SourceRows
{
    /// <summary>The extensions of the files read from a folder.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".tsv", ".csv", ".jsonl", ".txt"];

    /// <summary>
    /// Reads every input in order as rows with ids, source names, texts and gold countries: any data set the project
    /// reads, or plain text (<c>.txt</c>, one sentence per line, empty lines skipped, the line number as id); a folder
    /// means its files with one of the <see cref="Extensions"/>, in name order. <paramref name="fileRead"/> hears of
    /// each file as soon as it is read.
    /// </summary>
    /// <exception cref="FileNotFoundException">An input is neither a file nor a folder.</exception>
    public static List<SourceRow> Read(IEnumerable<string> inputs, IProgress<SourceFile>? fileRead = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input)
                    .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal));
            else if (File.Exists(input)) files.Add(input);
            else throw new FileNotFoundException($"'{input}' does not exist.");
        }
        var rows = new List<SourceRow>();
        foreach (var file in files)
        {
            var source = Path.GetFileName(file);
            var before = rows.Count;
            if (file.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            {
                using var stream = File.OpenRead(file);
                foreach (var (line, text) in TextInput.Read(stream, file))
                    if (text.Length > 0) rows.Add(new SourceRow(line.ToString(CultureInfo.InvariantCulture), source, new TeacherItem(text)));
                fileRead?.Report(new SourceFile(source, rows.Count - before, null, new Dictionary<string, int>()));
                continue;
            }
            var data = LabeledDataset.Read(file);
            for (var i = 0; i < data.Texts.Count; i++)
                rows.Add(new SourceRow(data.Ids[i], source, new TeacherItem(data.Texts[i], data.SingleLabel?[i]), data.MultiLabel?[i]));
            fileRead?.Report(new SourceFile(source, rows.Count - before, data.Format, data.SkippedOutOfSet));
        }
        return rows;
    }
}
