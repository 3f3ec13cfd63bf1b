using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lahja.Checkpoints;

/// <summary>
/// Lahja's own settings stored beside a checkpoint's config.json as <c>lahja.json</c> (tuned thresholds), so the
/// original Hugging Face files stay untouched. <c>predict</c>, the API and the server honour it unless told otherwise
/// (<see cref="Complete(string, DialectIdentifierOptions)"/>: the one place options and the file are merged).
/// Thresholds are <see cref="float"/>, as everywhere a <see cref="DecisionRule"/> is concerned.
/// </summary>
public sealed record LahjaSettings
{
    /// <summary>The file name.</summary>
    public const string FileName = "lahja.json";

    /// <summary>The global decision threshold.</summary>
    public float? Threshold { get; init; }

    /// <summary>Per-dialect thresholds.</summary>
    public IReadOnlyDictionary<Dialect, float>? DialectThresholds { get; init; }

    /// <summary>The relative threshold (a dialect also needs this fraction of the top probability), or null.</summary>
    public float? RelativeThreshold { get; init; }

    /// <summary>The decision rule the file gives on its own (0.3 and no relative threshold where it says nothing).</summary>
    public DecisionRule Rule => new DialectIdentifierOptions { Threshold = Threshold, DialectThresholds = DialectThresholds, RelativeThreshold = RelativeThreshold }.Rule;

    /// <summary>
    /// <paramref name="options"/> with the thresholds they leave null taken from these settings: an explicit threshold
    /// wins, and per-dialect thresholds of the file still apply beside an explicit global one.
    /// </summary>
    public DialectIdentifierOptions Complete(DialectIdentifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            Threshold = options.Threshold ?? Threshold,
            DialectThresholds = options.DialectThresholds ?? DialectThresholds,
            RelativeThreshold = options.RelativeThreshold ?? RelativeThreshold,
        };
    }

    /// <summary>
    /// <paramref name="options"/> completed from the <c>lahja.json</c> of <paramref name="directory"/> (unchanged when it
    /// has none), as <see cref="DialectIdentifier.Load"/> and distributed jobs complete them.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static DialectIdentifierOptions Complete(string directory, DialectIdentifierOptions options) =>
        Load(directory)?.Complete(options) ?? options;

    /// <summary>Names of the precisions <see cref="Precision"/> may give.</summary>
    public static readonly IReadOnlyList<string> PrecisionNames = ["fp32", "int8"];

    /// <summary>
    /// The precision the model was tested at and runs at by default (<c>fp32</c> or <c>int8</c>), for engines that
    /// offer a choice; null: fp32. An explicit choice (<c>--precision</c>, an engine built for one) wins.
    /// </summary>
    public string? Precision { get; init; }

    /// <summary>Where the thresholds came from (data set, hash, date, score), for people reading the file.</summary>
    public string? Provenance { get; init; }

    /// <summary>Longest <see cref="Description"/>, in characters.</summary>
    public const int MaxDescriptionLength = 600;

    /// <summary>
    /// What the model is and how good, in a sentence or two, shown where it is used: the CLI's note when it is the
    /// default model, <c>serve</c>'s start-up line, <c>/v1/model</c> and the web page.
    /// </summary>
    public string? Description { get; init; }

    /// <summary>Reads <c>lahja.json</c> of <paramref name="directory"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static LahjaSettings? Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path}: not a JSON object.");
            Dictionary<Dialect, float>? perDialect = null;
            if (root["dialect_thresholds"] is JsonObject map)
                perDialect = map.ToDictionary(p => Dialects.Parse(p.Key, $"{path}, dialect_thresholds"), p => Check(p.Value!.GetValue<double>(), path));
            return new LahjaSettings
            {
                Threshold = root["threshold"] is { } t ? Check(t.GetValue<double>(), path) : null,
                DialectThresholds = perDialect,
                RelativeThreshold = root["relative_threshold"] is { } r ? Check(r.GetValue<double>(), path) : null,
                Provenance = root["provenance"]?.GetValue<string>(),
                Description = root["description"] is { } d ? CheckDescription(d.GetValue<string>(), path) : null,
                Precision = root["precision"] is { } precision ? CheckPrecision(precision.GetValue<string>(), path) : null,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Writes <c>lahja.json</c> into <paramref name="directory"/> atomically.</summary>
    public void Save(string directory)
    {
        var root = new JsonObject
        {
            ["threshold"] = Threshold,
            ["dialect_thresholds"] = DialectThresholds is null ? null : new JsonObject(DialectThresholds.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Key.Label(), (JsonNode?)p.Value))),
            ["relative_threshold"] = RelativeThreshold,
            ["provenance"] = Provenance,
        };
        if (Precision is not null) root["precision"] = Precision;
        if (Description is not null) root["description"] = Description;
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    // Shown on terminals and pages: one plain line of bounded length.
    private static string CheckDescription(string value, string path) =>
        value.Length <= MaxDescriptionLength && !value.Any(char.IsControl)
            ? value
            : throw new InvalidDataException($"{path}: description must be one line of at most {MaxDescriptionLength} characters without control characters.");

    private static string CheckPrecision(string value, string path) =>
        PrecisionNames.Contains(value) ? value : throw new InvalidDataException($"{path}: precision '{value}' is not one of {string.Join(", ", PrecisionNames)}.");

    // Read as the double the file writes, then narrowed, as the identifier has always read it.
    private static float Check(double value, string path) =>
        value is >= 0 and <= 1 ? (float)value : throw new InvalidDataException($"{path}: threshold {value} is outside [0, 1].");
}
