using System.Text;

namespace Lahja.Data;

/// <summary>One text read from an input, with where it came from.</summary>
/// <param name="Line">1-based line number in the source (the header is line 1 for tables).</param>
/// <param name="Text">The text.</param>
public readonly record struct InputText(int Line, string Text)
{
    /// <summary>True when the line was longer than <see cref="TextInput.MaxLineCharacters"/> and was cut there.</summary>
    public bool Truncated { get; init; }
}

/// <summary>
/// Reads texts to classify: one per line, or one column of a TSV (no quoting, as NADI files are written) or CSV
/// (RFC 4180 quotes within a line) file with a header. Strict UTF-8: an invalid byte sequence, or a NUL (UTF-16
/// read as UTF-8), is an error naming the file and line. Streams, and cuts lines longer than
/// <see cref="MaxLineCharacters"/>, so inputs of any size, even one huge line, use bounded memory.
/// </summary>
public static class TextInput
{
    /// <summary>
    /// Longest line kept, in UTF-16 characters; the rest of a longer line is skipped (<see cref="InputText.Truncated"/>).
    /// The model reads at most 512 tokens (128 by default), a few thousand characters: 100,000 never changes a
    /// prediction of real text, and bounds a window of texts in memory.
    /// </summary>
    public const int MaxLineCharacters = 100_000;

    /// <summary>Reads the texts of <paramref name="stream"/>.</summary>
    /// <param name="stream">The input.</param>
    /// <param name="source">Its name in error messages (a path, or "standard input").</param>
    /// <param name="column">Null for plain lines; otherwise the header name (or 1-based number) of the column to read.</param>
    /// <param name="delimiter">The field separator when <paramref name="column"/> is given: '\t' or ','.</param>
    /// <param name="maxLineCharacters">Lines longer than this are cut to it (default <see cref="MaxLineCharacters"/>).</param>
    public static IEnumerable<InputText> Read(Stream stream, string source, string? column = null, char delimiter = '\t', int maxLineCharacters = MaxLineCharacters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineCharacters, 1);
        var lines = ReadLines(stream, source, maxLineCharacters);
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
            yield return new InputText(lineNumber, fields[index]) { Truncated = enumerator.Current.Truncated };
        }
    }

    /// <summary>
    /// Reads lines of text already decoded (standard input) as <see cref="Read"/> reads a file: lines longer than
    /// <paramref name="maxLineCharacters"/> are cut (the rest skipped, never held), and a NUL is an error.
    /// </summary>
    public static IEnumerable<InputText> ReadLines(TextReader reader, string source, int maxLineCharacters = MaxLineCharacters)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineCharacters, 1);
        var line = new StringBuilder();
        var buffer = new char[1 << 14];
        var lineNumber = 0;
        var truncated = false;
        var pendingReturn = false;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    pendingReturn = false;
                    yield return Line();
                    continue;
                }
                if (pendingReturn) Append('\r');
                pendingReturn = c == '\r';
                if (!pendingReturn) Append(c);
            }
        }
        if (pendingReturn) Append('\r');
        if (line.Length > 0 || truncated) yield return Line();

        void Append(char c)
        {
            if (c == '\0') throw NotText(source, lineNumber + 1, line.Length + 1, "character");
            if (line.Length < maxLineCharacters) line.Append(c);
            else truncated = true;
        }

        InputText Line()
        {
            lineNumber++;
            // Never end on half a surrogate pair.
            if (truncated && char.IsHighSurrogate(line[^1])) line.Length--;
            var text = new InputText(lineNumber, line.ToString()) { Truncated = truncated };
            line.Clear();
            truncated = false;
            return text;
        }
    }

    /// <summary>The delimiter for a path: ',' for .csv, otherwise tab.</summary>
    public static char DelimiterFor(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ',' : '\t';

    /// <summary>
    /// The columns of a .tsv or .csv file whose first line looks like a table's header, else null: at least two
    /// fields, and the next non-empty line has as many. Other files are one text per line whatever they contain, so
    /// plain text with commas or tabs is never taken for a table.
    /// </summary>
    public static IReadOnlyList<string>? HeaderColumns(string path)
    {
        var extension = Path.GetExtension(path);
        if (!extension.Equals(".tsv", StringComparison.OrdinalIgnoreCase) && !extension.Equals(".csv", StringComparison.OrdinalIgnoreCase)) return null;
        var delimiter = DelimiterFor(path);
        using var stream = File.OpenRead(path);
        var rows = new List<string[]>(2);
        foreach (var (line, text) in Read(stream, path).Where(t => t.Text.Length > 0).Take(2))
        {
            try
            {
                rows.Add(SplitFields(text, delimiter, path, line));
            }
            catch (InvalidDataException)
            {
                return null; // an unterminated quote: not a row of a table
            }
        }
        if (rows.Count == 0 || rows[0].Length < 2) return null;
        return rows.Count == 1 || rows[1].Length == rows[0].Length ? rows[0] : null;
    }

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

    private static IEnumerable<InputText> ReadLines(Stream stream, string source, int maxLineCharacters)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var reader = new BufferedStream(stream, 1 << 16);
        // Every UTF-8 sequence is at most 4 bytes and gives at least one character: this many bytes always hold the
        // characters kept. Bytes past them are skipped, not stored.
        var maxBytes = 4L * maxLineCharacters;
        var buffer = new MemoryStream();
        var lineNumber = 0;
        var overflow = false;
        while (true)
        {
            var b = reader.ReadByte();
            if (b == '\n' || (b < 0 && (buffer.Length > 0 || overflow)))
            {
                lineNumber++;
                var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
                if (!overflow && bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
                if (lineNumber == 1 && bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
                if (lineNumber == 1 && bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
                    throw new InvalidDataException($"{source}:1: the file starts with a UTF-16 byte-order mark: it is UTF-16, not UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8).");
                if (bytes.IndexOf((byte)0) is >= 0 and var nul) throw NotText(source, lineNumber, nul + 1, "byte");
                if (overflow) bytes = bytes[..CompleteSequences(bytes)];
                string text;
                try
                {
                    text = decoder.GetString(bytes);
                }
                catch (DecoderFallbackException e)
                {
                    throw new InvalidDataException($"{source}:{lineNumber}: invalid UTF-8 (byte 0x{e.BytesUnknown?.FirstOrDefault():X2} at byte {e.Index + 1} of the line).", e);
                }
                var truncated = overflow || text.Length > maxLineCharacters;
                if (text.Length > maxLineCharacters)
                    text = text[..(char.IsHighSurrogate(text[maxLineCharacters - 1]) ? maxLineCharacters - 1 : maxLineCharacters)];
                buffer.SetLength(0);
                overflow = false;
                yield return new InputText(lineNumber, text) { Truncated = truncated };
            }
            else if (b >= 0)
            {
                if (buffer.Length < maxBytes) buffer.WriteByte((byte)b);
                else overflow = true;
            }
            if (b < 0) yield break;
        }
    }

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 sequence cut off at its end.</summary>
    private static int CompleteSequences(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.Length;
        // Back over up to 3 continuation bytes to the lead byte of the last sequence.
        while (start > 0 && bytes.Length - start < 3 && (bytes[start - 1] & 0xC0) == 0x80) start--;
        if (start == 0) return bytes.Length;
        var lead = bytes[start - 1];
        var length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return start - 1 + length <= bytes.Length ? bytes.Length : start - 1;
    }

    private static InvalidDataException NotText(string source, int line, int position, string unit) =>
        new($"{source}:{line}: NUL {unit} at {unit} {position} of the line: the input is not UTF-8 text (UTF-16 without a byte-order mark?).");

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
