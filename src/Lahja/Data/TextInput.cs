using System.Text;

namespace Lahja.Data;

/// <summary>One text read from an input, with where it came from.</summary>
/// <param name="Line">1-based line number in the source (the header is line 1 for tables).</param>
/// <param name="Text">The text.</param>
public readonly record struct InputText(int Line, string Text);

/// <summary>
/// Reads texts to classify: one per line, or one column of a TSV (no quoting, as NADI files are written) or CSV
/// (RFC 4180 quotes within a line) file with a header. Strict UTF-8: an invalid byte sequence is an error naming the
/// file and line. Streams, so inputs of any size use bounded memory.
/// </summary>
public static class TextInput
{
    /// <summary>Reads the texts of <paramref name="stream"/>.</summary>
    /// <param name="stream">The input.</param>
    /// <param name="source">Its name in error messages (a path, or "standard input").</param>
    /// <param name="column">Null for plain lines; otherwise the header name (or 1-based number) of the column to read.</param>
    /// <param name="delimiter">The field separator when <paramref name="column"/> is given: '\t' or ','.</param>
    public static IEnumerable<InputText> Read(Stream stream, string source, string? column = null, char delimiter = '\t')
    {
        var lines = ReadLines(stream, source);
        if (column is null)
        {
            foreach (var line in lines) yield return line;
            yield break;
        }
        using var enumerator = lines.GetEnumerator();
        if (!enumerator.MoveNext()) yield break;
        var header = SplitFields(enumerator.Current.Text, delimiter, source, 1);
        var index = Array.IndexOf(header, column);
        if (index < 0 && int.TryParse(column, out var number) && number >= 1 && number <= header.Length) index = number - 1;
        if (index < 0)
            throw new InvalidDataException($"{source}:1: no column '{column}' in the header ({string.Join(", ", header.Select(h => $"'{h}'"))}).");
        while (enumerator.MoveNext())
        {
            var (lineNumber, text) = enumerator.Current;
            if (text.Length == 0) continue;
            var fields = SplitFields(text, delimiter, source, lineNumber);
            if (index >= fields.Length)
                throw new InvalidDataException($"{source}:{lineNumber}: {fields.Length} fields, column '{column}' is field {index + 1}.");
            yield return new InputText(lineNumber, fields[index]);
        }
    }

    /// <summary>The delimiter for a path: ',' for .csv, otherwise tab.</summary>
    public static char DelimiterFor(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ',' : '\t';

    /// <summary>Counts the lines of a file quickly (for progress totals).</summary>
    public static int CountLines(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 16];
        int read, count = 0;
        var last = (byte)'\n';
        while ((read = stream.Read(buffer)) > 0)
        {
            count += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }
        return count + (last == '\n' ? 0 : 1);
    }

    private static IEnumerable<InputText> ReadLines(Stream stream, string source)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var reader = new BufferedStream(stream, 1 << 16);
        var buffer = new MemoryStream();
        var lineNumber = 0;
        while (true)
        {
            var b = reader.ReadByte();
            if (b == '\n' || (b < 0 && buffer.Length > 0))
            {
                lineNumber++;
                var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
                if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
                if (lineNumber == 1 && bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
                string text;
                try
                {
                    text = decoder.GetString(bytes);
                }
                catch (DecoderFallbackException e)
                {
                    throw new InvalidDataException($"{source}:{lineNumber}: invalid UTF-8 (byte 0x{e.BytesUnknown?.FirstOrDefault():X2} at byte {e.Index + 1} of the line).", e);
                }
                buffer.SetLength(0);
                yield return new InputText(lineNumber, text);
            }
            else if (b >= 0) buffer.WriteByte((byte)b);
            if (b < 0) yield break;
        }
    }

    /// <summary>Splits one row: tabs as they are (NADI files have no quoting), CSV with RFC 4180 quotes within the line.</summary>
    internal static string[] SplitFields(string line, char delimiter, string source, int lineNumber)
    {
        if (delimiter != ',') return line.Split(delimiter);
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new InvalidDataException($"{source}:{lineNumber}: unterminated quoted field (fields may not span lines).");
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
