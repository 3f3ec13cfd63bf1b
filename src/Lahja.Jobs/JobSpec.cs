using System.Text.Json;
using System.Text.Json.Serialization;
using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja.Jobs;

/// <summary>
/// What a job is: its model (as named, with the weights' fingerprint every worker must match) and the options that
/// decide its results, stored once when the job is submitted.
/// </summary>
public sealed record JobSpec
{
    /// <summary>Format version of the stored JSON.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Largest number of texts in one chunk.</summary>
    public const int MaxChunkSize = 100_000;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Format version (<see cref="CurrentVersion"/>).</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The job's name.</summary>
    public required string Name { get; init; }

    /// <summary>The model as the submitter named it (directory or Hub id), for people reading the status.</summary>
    public required string Model { get; init; }

    /// <summary><c>sha256:HEX</c> of the model's weights (<see cref="CheckpointFiles.WeightsSha256"/>).</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>Preprocessing preset.</summary>
    public required string Preprocessing { get; init; }

    /// <summary>Maximum tokens per text.</summary>
    public required int MaxLength { get; init; }

    /// <summary>Global threshold (null: the default, 0.3).</summary>
    public float? Threshold { get; init; }

    /// <summary>Per-dialect thresholds by label, or null.</summary>
    public Dictionary<string, float>? DialectThresholds { get; init; }

    /// <summary>Relative threshold (null: off).</summary>
    public float? RelativeThreshold { get; init; }

    /// <summary>Dialects listed in 'top'.</summary>
    public required int TopK { get; init; }

    /// <summary>Texts per chunk.</summary>
    public required int ChunkSize { get; init; }

    /// <summary>The input file, as given (information only).</summary>
    public string? Input { get; init; }

    /// <summary>The input column, when the input was a table.</summary>
    public string? Column { get; init; }

    /// <summary>When the job was submitted (UTC).</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>
    /// The spec of a job that predicts with the checkpoint in <paramref name="modelDirectory"/> and the options of
    /// <paramref name="requested"/>, completed from the model's <c>lahja.json</c> as <see cref="DialectIdentifier.Load"/>
    /// completes them, so that the job decides exactly as offline prediction does.
    /// </summary>
    public static JobSpec Create(string name, string model, string modelDirectory, DialectIdentifierOptions requested, int chunkSize, string? input = null, string? column = null)
    {
        _ = new JobKeys(name);
        if (chunkSize is < 1 or > MaxChunkSize) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, $"The chunk size must be between 1 and {MaxChunkSize:N0}.");
        var sha = CheckpointFiles.WeightsSha256(modelDirectory)
                  ?? throw new FileNotFoundException($"'{modelDirectory}' has no weights ({CheckpointFiles.SafeTensors}, {CheckpointFiles.SafeTensorsIndex} or {CheckpointFiles.PyTorchBin}).");
        var completed = LahjaSettings.Complete(modelDirectory, requested);
        var spec = new JobSpec
        {
            Name = name,
            Model = model,
            ModelSha256 = sha,
            Preprocessing = requested.Preprocessing,
            MaxLength = requested.MaxLength ?? DefaultMaxLength(modelDirectory, requested),
            Threshold = completed.Threshold,
            DialectThresholds = completed.DialectThresholds?.ToDictionary(p => p.Key.Label(), p => p.Value),
            RelativeThreshold = completed.RelativeThreshold,
            TopK = requested.TopK,
            ChunkSize = chunkSize,
            Input = input,
            Column = column,
            Created = DateTimeOffset.UtcNow,
        };
        spec.Options(); // validates
        return spec;
    }

    // The model's own limit, stored in the spec so that every worker runs at the same length.
    private static int DefaultMaxLength(string modelDirectory, DialectIdentifierOptions requested) =>
        DialectIdentifierOptions.DefaultMaxLengthFor(CheckpointFiles.LoadConfig(modelDirectory), BertTokenizer.FromDirectory(modelDirectory, requested.Tokenizer).Settings);

    /// <summary>
    /// The identifier options of the job: preprocessing and length for the workers, thresholds and top k for
    /// turning stored probabilities into predictions.
    /// </summary>
    public DialectIdentifierOptions Options()
    {
        var options = new DialectIdentifierOptions
        {
            Preprocessing = Preprocessing,
            MaxLength = MaxLength,
            Threshold = Threshold,
            DialectThresholds = DialectThresholds?.ToDictionary(p => Dialects.Parse(p.Key, "job spec, dialect_thresholds"), p => p.Value),
            RelativeThreshold = RelativeThreshold,
            TopK = TopK,
        };
        if (options.RelativeThreshold is < 0 or > 1 || options.Threshold is < 0 or > 1 || options.TopK is < 0 or > Dialects.Count || options.MaxLength is < 2
            || options.DialectThresholds?.Values.Any(t => t is < 0 or > 1 or float.NaN) == true)
            throw new InvalidDataException($"Job '{Name}': its stored options are out of range.");
        Lahja.Text.TextPreprocessor.FromPreset(Preprocessing);
        return options;
    }

    /// <summary>The JSON stored in Redis.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored spec, validating it.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a valid spec of a version this build reads.</exception>
    public static JobSpec FromJson(string json, string job)
    {
        JobSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<JobSpec>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Job '{job}': its stored spec is not valid JSON ({e.Message}).");
        }
        if (spec is null || spec.Version != CurrentVersion)
            throw new InvalidDataException($"Job '{job}': its stored spec has version {spec?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}; this Lahja reads version {CurrentVersion}.");
        if (spec.Name != job || spec.ChunkSize is < 1 or > MaxChunkSize || !spec.ModelSha256.StartsWith("sha256:", StringComparison.Ordinal))
            throw new InvalidDataException($"Job '{job}': its stored spec is inconsistent (name, chunk size or model fingerprint).");
        spec.Options();
        return spec;
    }
}
