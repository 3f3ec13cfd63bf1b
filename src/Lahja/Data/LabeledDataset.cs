using System.Text;
using System.Text.Json;

namespace Lahja.Data;

/// <summary>Texts with dialect labels, read from any format the project knows.</summary>
public sealed class LabeledDataset
{
    internal LabeledDataset(string source, string format, List<string> texts, List<bool?[]>? multiLabel, List<Dialect>? singleLabel, Dictionary<string, int> skipped, List<string>? badRows = null, List<string>? ids = null, List<float[]>? probabilities = null)
    {
        Ids = ids ?? [];
        Probabilities = probabilities is { Count: > 0 } ? probabilities : null;
        BadRows = badRows ?? [];
        Source = source;
        Format = format;
        Texts = texts;
        MultiLabel = multiLabel;
        SingleLabel = singleLabel;
        SkippedOutOfSet = skipped;
    }

    /// <summary>Where it was read from.</summary>
    public string Source { get; }

    /// <summary>The format recognised, in words.</summary>
    public string Format { get; }

    /// <summary>The texts.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>
    /// Each row's id, index-aligned with <see cref="Texts"/>: the file's id column (<c>#1_tweet_ID</c>, <c>#1_id</c>,
    /// <c>#1_tweetid</c>, <c>id</c>; JSONL <c>"id"</c>) or, without one, the line number.
    /// </summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>
    /// Soft targets of a multi-label table that has them (columns <c>p_&lt;dialect&gt;</c> for all 18, as a model or local
    /// teacher writes), in canonical order; null otherwise.
    /// </summary>
    public IReadOnlyList<float[]>? Probabilities { get; }

    /// <summary>Multi-label gold in canonical order (null: not annotated), or null for single-label data.</summary>
    public IReadOnlyList<bool?[]>? MultiLabel { get; }

    /// <summary>Single-label gold (one country per text), or null for multi-label data.</summary>
    public IReadOnlyList<Dialect>? SingleLabel { get; }

    /// <summary>Rows skipped as malformed (with <c>skipBadRows</c>), each as "file:line: problem".</summary>
    public IReadOnlyList<string> BadRows { get; }

    /// <summary>Rows skipped because their country is outside the 18 (NADI 2021's Djibouti, Mauritania, Somalia), by country.</summary>
    public IReadOnlyDictionary<string, int> SkippedOutOfSet { get; }

    /// <summary>
    /// Reads a dataset, recognising the format from the extension and header:
    /// NADI 2024 subtask-1 TSV (<c>sentence</c> + y/n dialect columns); NADI 2020–2023 single-label TSVs (all three
    /// header variants; countries normalised, out-of-set countries counted and skipped); the project's multi-label
    /// CSV/TSV (<c>text</c> + dialect columns of 0/1); and JSONL (<c>{"text": …, "dialects": [...]}</c> with every
    /// dialect annotated, <c>{"text": …, "labels": {"Egypt": 1, …}}</c> with only the named ones, or
    /// <c>{"text": …, "dialect": "Egypt"}</c> single-label).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file, line and field.</exception>
    /// <param name="path">The file.</param>
    /// <param name="nadiTrainDirectory">
    /// For label files without texts (B2BERT's teacher-label layout: <c>id, aldi_score, 18 dialects, train_id,
    /// nadi_source</c>): the folder of the NADI training files the rows point into.
    /// </param>
    /// <param name="skipBadRows">Skip malformed rows (listed in <see cref="BadRows"/>) instead of failing on the first.</param>
    public static LabeledDataset Read(string path, string? nadiTrainDirectory = null, bool skipBadRows = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        var lines = TextInput.Read(stream, path);
        var bad = new List<string>();
        // One row at a time: with skipBadRows a malformed row is recorded and skipped, never half-added.
        void Row(Action parse)
        {
            try
            {
                parse();
            }
            catch (Exception e) when (skipBadRows && e is InvalidDataException or UnknownDialectException)
            {
                bad.Add(e.Message);
            }
        }
        return path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? ReadJsonLines(path, lines, Row, bad)
            : ReadTable(path, lines, TextInput.DelimiterFor(path), nadiTrainDirectory, Row, bad);
    }

    /// <summary>The NADI training files a teacher-label row's <c>nadi_source</c> names.</summary>
    private static readonly Dictionary<string, string> NadiTrainFiles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["NADI2020"] = "NADI2020-TWT.tsv", ["NADI2021"] = "NADI2021-TWT.tsv", ["NADI2023"] = "NADI2023_TWT.tsv",
    };

    private static Func<string, string, int, string> NadiTextLookup(string path, string? directory)
    {
        if (directory is null)
            throw new InvalidDataException($"{path}:1: rows point into the NADI training files (train_id, nadi_source) but no texts folder was given (--nadi-train DIR).");
        var cache = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        return (source, id, line) =>
        {
            if (!cache.TryGetValue(source, out var texts))
            {
                if (!NadiTrainFiles.TryGetValue(source, out var file))
                    throw new InvalidDataException($"{path}:{line}: nadi_source '{source}' is not one of {string.Join(", ", NadiTrainFiles.Keys)}.");
                var nadi = Path.Combine(directory, file);
                texts = new Dictionary<string, string>(StringComparer.Ordinal);
                using var stream = File.OpenRead(nadi);
                foreach (var (_, row) in TextInput.Read(stream, nadi).Skip(1))
                {
                    var fields = row.Split('\t');
                    if (fields.Length >= 2) texts.TryAdd(fields[0], fields[1]);
                }
                cache[source] = texts;
            }
            return texts.TryGetValue(id, out var text) ? text
                : throw new InvalidDataException($"{path}:{line}: train_id '{id}' is not in {NadiTrainFiles[source]}.");
        };
    }

    private static LabeledDataset ReadTable(string path, IEnumerable<InputText> lines, char delimiter, string? nadiTrainDirectory, Action<Action> row, List<string> bad)
    {
        using var e = lines.GetEnumerator();
        if (!e.MoveNext()) throw new InvalidDataException($"{path}: empty file (a header row is needed).");
        var header = SplitRow(e.Current.Text, delimiter, path, 1).Select(h => h.Trim()).ToArray();
        var textColumn = Array.FindIndex(header, h => h is "#2_tweet_content" or "#2_content" or "#2_tweet" or "sentence" or "text");
        var trainIdColumn = Array.IndexOf(header, "train_id");
        var sourceColumn = Array.IndexOf(header, "nadi_source");
        Func<string, string, int, string>? lookup = null;
        if (textColumn < 0 && trainIdColumn >= 0 && sourceColumn >= 0) lookup = NadiTextLookup(path, nadiTrainDirectory);
        else if (textColumn < 0)
            throw new InvalidDataException($"{path}:1: no text column (expected one of sentence, text, #2_tweet_content, #2_content, #2_tweet, or train_id + nadi_source) in the header.");
        var countryColumn = Array.IndexOf(header, "#3_country_label");
        var idColumn = Array.FindIndex(header, h => h is "#1_tweet_ID" or "#1_id" or "#1_tweetid" or "id");
        var ids = new List<string>();
        var texts = new List<string>();
        var skipped = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (countryColumn >= 0)
        {
            var gold = new List<Dialect>();
            while (e.MoveNext())
            {
                var (line, text) = e.Current;
                if (text.Length == 0) continue;
                row(() =>
                {
                    var fields = SplitRow(text, delimiter, path, line);
                    if (fields.Length <= Math.Max(textColumn, countryColumn))
                        throw new InvalidDataException($"{path}:{line}: {fields.Length} fields, expected at least {Math.Max(textColumn, countryColumn) + 1}.");
                    var country = fields[countryColumn].Trim();
                    if (Dialects.OutOfSetCountries.Contains(country))
                    {
                        skipped[country] = skipped.GetValueOrDefault(country) + 1;
                        return;
                    }
                    gold.Add(Dialects.Parse(country, $"{path}:{line}, field #3_country_label"));
                    texts.Add(fields[textColumn]);
                    ids.Add(idColumn >= 0 && idColumn < fields.Length ? fields[idColumn] : line.ToString(System.Globalization.CultureInfo.InvariantCulture));
                });
            }
            return new LabeledDataset(path, "NADI single-label TSV", texts, null, gold, skipped, bad, ids);
        }

        var dialectColumns = new List<(int Column, Dialect Dialect)>();
        for (var c = 0; c < header.Length; c++)
            if (c != textColumn && c != trainIdColumn && c != sourceColumn && header[c] is not ("id" or "aldi_score") && Dialects.TryParse(header[c], out var d))
                dialectColumns.Add((c, d));
        if (dialectColumns.Count == 0)
            throw new InvalidDataException($"{path}:1: no dialect columns and no #3_country_label column in the header.");
        var probabilityColumns = Dialects.Table.Select(d => Array.IndexOf(header, "p_" + d.Label)).ToArray();
        var probabilities = probabilityColumns.All(c => c >= 0) ? new List<float[]>() : null;
        var labels = new List<bool?[]>();
        while (e.MoveNext())
        {
            var (line, text) = e.Current;
            if (text.Length == 0) continue;
            row(() =>
            {
                var fields = SplitRow(text, delimiter, path, line);
                if (fields.Length != header.Length)
                    throw new InvalidDataException($"{path}:{line}: {fields.Length} fields, the header has {header.Length}.");
                var gold = new bool?[Dialects.Count];
                foreach (var (column, dialect) in dialectColumns)
                    gold[(int)dialect] = fields[column].Trim().ToLowerInvariant() switch
                    {
                        "y" or "1" or "1.0" or "yes" or "true" => true,
                        "n" or "0" or "0.0" or "no" or "false" => false,
                        "" => null,
                        var other => throw new InvalidDataException($"{path}:{line}: field {header[column]} is '{other}', expected y/n or 1/0."),
                    };
                var soft = probabilities is null ? null : probabilityColumns.Select(c =>
                    float.TryParse(fields[c], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1 ? p
                        : throw new InvalidDataException($"{path}:{line}: field {header[c]} is '{fields[c]}', expected a probability in [0, 1].")).ToArray();
                var value = lookup is null ? fields[textColumn] : lookup(fields[sourceColumn].Trim(), fields[trainIdColumn].Trim(), line);
                texts.Add(value);
                labels.Add(gold);
                if (soft is not null) probabilities!.Add(soft);
                ids.Add(idColumn >= 0 ? fields[idColumn] : line.ToString(System.Globalization.CultureInfo.InvariantCulture));
            });
        }
        var format = lookup is not null ? "teacher labels joined to the NADI training files"
            : header[textColumn] == "sentence" ? "NADI 2024 subtask-1 TSV" : "multi-label table";
        return new LabeledDataset(path, format, texts, labels, null, skipped, bad, ids, probabilities);
    }

    private static LabeledDataset ReadJsonLines(string path, IEnumerable<InputText> lines, Action<Action> parseRow, List<string> bad)
    {
        var texts = new List<string>();
        var multi = new List<bool?[]>();
        var single = new List<Dialect>();
        var ids = new List<string>();
        foreach (var (line, row) in lines)
        {
            if (row.Trim().Length == 0) continue;
            parseRow(() =>
            {
                JsonElement root;
                try
                {
                    using var doc = JsonDocument.Parse(row);
                    root = doc.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    throw new InvalidDataException($"{path}:{line}: not valid JSON ({ex.Message}).", ex);
                }
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"{path}:{line}: expected an object with a string \"text\".");
                if (root.TryGetProperty("dialect", out var dialect))
                {
                    if (multi.Count > 0) throw new InvalidDataException($"{path}:{line}: mixes single-label (\"dialect\") and multi-label rows.");
                    single.Add(Dialects.Parse(dialect.GetString() ?? "", $"{path}:{line}, field dialect"));
                }
                else
                {
                    if (single.Count > 0) throw new InvalidDataException($"{path}:{line}: mixes single-label (\"dialect\") and multi-label rows.");
                    multi.Add(MultiLabelRow(root, path, line));
                }
                texts.Add(text.GetString()!);
                ids.Add(root.TryGetProperty("id", out var id) ? id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText()
                    : line.ToString(System.Globalization.CultureInfo.InvariantCulture));
            });
        }
        return single.Count > 0
            ? new LabeledDataset(path, "single-label JSONL", texts, null, single, [], bad, ids)
            : new LabeledDataset(path, "multi-label JSONL", texts, multi, null, [], bad, ids);
    }

    private static bool?[] MultiLabelRow(JsonElement root, string path, int line)
    {
        if (root.TryGetProperty("dialects", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var gold = Enumerable.Repeat<bool?>(false, Dialects.Count).ToArray();
            foreach (var item in list.EnumerateArray())
                gold[(int)Dialects.Parse(item.GetString() ?? "", $"{path}:{line}, field dialects")] = true;
            return gold;
        }
        if (root.TryGetProperty("labels", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            var gold = new bool?[Dialects.Count];
            foreach (var p in map.EnumerateObject())
                gold[(int)Dialects.Parse(p.Name, $"{path}:{line}, field labels")] = p.Value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number => p.Value.GetDouble() != 0,
                    _ => throw new InvalidDataException($"{path}:{line}: labels.{p.Name} should be 0/1 or true/false."),
                };
            return gold;
        }
        throw new InvalidDataException($"{path}:{line}: no \"dialects\", \"labels\" or \"dialect\" field.");
    }

    private static string[] SplitRow(string row, char delimiter, string path, int line) => TextInput.SplitFields(row, delimiter, path, line);
}
