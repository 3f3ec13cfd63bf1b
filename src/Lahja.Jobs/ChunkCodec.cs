using System.Buffers.Binary;
using System.Text.Json;
using StackExchange.Redis;

namespace Lahja.Jobs;

/// <summary>
/// The wire forms of chunks (stream entries: <c>chunk</c> = index, <c>texts</c> = JSON array) and of results (JSON:
/// the chunk's texts and its probabilities as base64 little-endian float32, exact to the bit), with the checks that
/// turn a corrupted entry into a reason rather than a crash or a silent loss.
/// </summary>
internal static class ChunkCodec
{
    public const string ChunkField = "chunk";
    public const string TextsField = "texts";
    private const int Labels = 18;

    public static NameValueEntry[] ChunkEntry(int chunk, IReadOnlyList<string> texts) =>
    [
        new(ChunkField, chunk),
        new(TextsField, JsonSerializer.Serialize(texts)),
    ];

    /// <summary>The chunk index of an entry, or -1 when it has no valid one.</summary>
    public static int IndexOf(StreamEntry entry) =>
        int.TryParse((string?)entry[ChunkField], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : -1;

    /// <exception cref="InvalidDataException">The entry is not a chunk of <paramref name="chunkSize"/> texts or fewer.</exception>
    public static (int Chunk, string[] Texts) ReadChunk(StreamEntry entry, int chunkSize)
    {
        var index = IndexOf(entry);
        if (index < 0) throw new InvalidDataException($"entry {entry.Id}: field '{ChunkField}' is missing or not a chunk number");
        var texts = ReadTexts((string?)entry[TextsField], $"entry {entry.Id} (chunk {index})");
        if (texts.Length == 0 || texts.Length > chunkSize)
            throw new InvalidDataException($"entry {entry.Id} (chunk {index}): {texts.Length} texts; a chunk has 1 to {chunkSize}");
        return (index, texts);
    }

    public static string Result(IReadOnlyList<string> texts, IReadOnlyList<DialectPrediction> predictions)
    {
        if (predictions.Count != texts.Count) throw new InvalidOperationException($"{predictions.Count} predictions for {texts.Count} texts.");
        var bytes = new byte[texts.Count * Labels * sizeof(float)];
        for (var i = 0; i < predictions.Count; i++)
            for (var d = 0; d < Labels; d++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((i * Labels + d) * sizeof(float)), predictions[i].Probabilities[d]);
        // Whether a text had nothing to classify is decided from its encoding, which collect no longer has: keep it.
        var empty = predictions.Any(p => p.IsEmpty) ? predictions.Select(p => p.EmptyReason).ToArray() : null;
        return JsonSerializer.Serialize(new ResultRecord(texts.ToArray(), Convert.ToBase64String(bytes), empty));
    }

    /// <exception cref="InvalidDataException">The stored result is malformed; the message says how.</exception>
    public static IReadOnlyList<DialectPrediction> ReadResult(string? payload, int chunk, DialectIdentifierOptions options)
    {
        ResultRecord? record;
        try
        {
            record = payload is null ? null : JsonSerializer.Deserialize<ResultRecord>(payload);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"result of chunk {chunk}: not valid JSON ({e.Message})");
        }
        if (record?.Texts is null || record.Probabilities is null || record.Texts.Any(t => t is null))
            throw new InvalidDataException($"result of chunk {chunk}: 'texts' or 'probabilities' is missing");
        var bytes = new byte[record.Probabilities.Length];
        if (!Convert.TryFromBase64String(record.Probabilities, bytes, out var length) || length != record.Texts.Length * Labels * sizeof(float))
            throw new InvalidDataException($"result of chunk {chunk}: the probabilities are not {record.Texts.Length} × {Labels} base64 floats");
        if (record.Empty is { } empty && (empty.Length != record.Texts.Length || empty.Any(r => !Enum.IsDefined(r))))
            throw new InvalidDataException($"result of chunk {chunk}: 'empty' is not one known reason per text");
        var predictions = new DialectPrediction[record.Texts.Length];
        var row = new float[Labels];
        for (var i = 0; i < predictions.Length; i++)
        {
            for (var d = 0; d < Labels; d++)
            {
                row[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((i * Labels + d) * sizeof(float)));
                if (!(row[d] >= 0 && row[d] <= 1)) throw new InvalidDataException($"result of chunk {chunk}, text {i}: probability {row[d]} is not between 0 and 1");
            }
            predictions[i] = DialectPrediction.FromProbabilities(record.Texts[i], row, options, record.Empty?[i] ?? EmptyTextReason.None);
        }
        return predictions;
    }

    private static string[] ReadTexts(string? json, string where)
    {
        if (json is null) throw new InvalidDataException($"{where}: field '{TextsField}' is missing");
        try
        {
            var texts = JsonSerializer.Deserialize<string?[]>(json) ?? throw new InvalidDataException($"{where}: '{TextsField}' is null");
            if (texts.Any(t => t is null)) throw new InvalidDataException($"{where}: '{TextsField}' holds a null");
            return texts!;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: '{TextsField}' is not a JSON array of strings ({e.Message})");
        }
    }

    private sealed record ResultRecord(
        [property: System.Text.Json.Serialization.JsonPropertyName("texts")] string[] Texts,
        [property: System.Text.Json.Serialization.JsonPropertyName("probabilities")] string Probabilities,
        [property: System.Text.Json.Serialization.JsonPropertyName("empty")] EmptyTextReason[]? Empty = null);
}
