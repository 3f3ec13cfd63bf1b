using System.Security.Cryptography;
using System.Text.Json;

namespace Lahja.Distillation.Local;

/// <summary>
/// The offline teacher: one binary logistic regression per dialect (one-vs-rest, ML.NET's SDCA learner) on character
/// 1–5-gram and word 1–2-gram TF-IDF features, trained on single-label data. Cross-fitted (<see cref="CrossFitting"/>):
/// each row is labelled by models that never saw it (rows with the same text share a fold). Each dialect's scores are
/// Platt-calibrated on the out-of-fold scores; a sentence gets every dialect whose probability is within
/// <see cref="LocalTeacherOptions.RelativeThreshold"/> of the best (<see cref="DecisionRule.Relative"/>). Saved as
/// <c>local-teacher.json</c> + <c>local-teacher.bin</c> for reuse (<c>local:DIR</c>).
/// </summary>
public sealed class LocalTeacher : ITeacher
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };
    private readonly LocalTeacherOptions options;
    private readonly DecisionRule rule;
    private LocalModel? model;
    private readonly string? directory;

    /// <summary>A teacher that trains on the rows it labels (their gold countries), cross-fitted.</summary>
    public LocalTeacher(LocalTeacherOptions options)
    {
        this.options = options;
        rule = DecisionRule.Relative(options.RelativeThreshold);
    }

    private LocalTeacher(LocalModel model, string directory, LocalTeacherOptions options)
        : this(options)
    {
        this.model = model;
        this.directory = directory;
    }

    /// <summary>Loads a saved teacher (<c>local:DIR</c>), which labels any text with its final model.</summary>
    /// <param name="directory">The folder written by <see cref="Save"/>.</param>
    /// <param name="relativeThreshold">Overrides the saved relative threshold.</param>
    public static LocalTeacher Load(string directory, float? relativeThreshold = null)
    {
        var settingsPath = Path.Combine(directory, LocalTeacherSettings.FileName);
        if (!File.Exists(settingsPath)) throw new FileNotFoundException($"'{directory}' is not a local teacher (no {LocalTeacherSettings.FileName}).", settingsPath);
        var settings = JsonSerializer.Deserialize<LocalTeacherSettings>(File.ReadAllText(settingsPath))
            ?? throw new InvalidDataException($"{settingsPath}: empty.");
        var model = LocalModelFile.Read(Path.Combine(directory, LocalModelFile.FileName), settings);
        return new LocalTeacher(model, directory, new LocalTeacherOptions { RelativeThreshold = relativeThreshold ?? settings.RelativeThreshold });
    }

    /// <inheritdoc/>
    public string Name => directory is null ? "local" : $"local:{Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))}";

    /// <inheritdoc/>
    public string Version => model is null ? "ngram-lr-v1" : $"ngram-lr-v1:{model.Hash}";

    /// <summary>Rows used to train the last model, per fold, and how long it took (filled by training).</summary>
    public string? TrainingSummary { get; private set; }

    /// <inheritdoc/>
    public Task<TeacherAnswer?[]> LabelAsync(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken) =>
        Task.Run(() => Label(items, progress, cancellationToken), cancellationToken);

    private TeacherAnswer?[] Label(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken)
    {
        float[][] probabilities;
        if (model is not null)
        {
            var featurizer = model.Featurizer;
            probabilities = new float[items.Count][];
            var done = 0;
            Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken }, i =>
            {
                probabilities[i] = model.Probabilities(featurizer.Transform(items[i].Text));
                var d = Interlocked.Increment(ref done);
                if (d % 2000 == 0) progress?.Report(new LabelingProgress(d, items.Count));
            });
        }
        else
        {
            (model, probabilities, var summary) = new CrossFitting(options).Train(items, progress, cancellationToken);
            TrainingSummary = summary;
        }
        progress?.Report(new LabelingProgress(items.Count, items.Count));
        return probabilities.Select(p => (TeacherAnswer?)new TeacherAnswer(rule.Decide(p), p, HashProbabilities(p))).ToArray();
    }

    /// <summary>Saves the final model for reuse as <c>local:DIR</c> (written to temporary files, then renamed).</summary>
    public void Save(string directory)
    {
        if (model is null) throw new InvalidOperationException("nothing to save: the teacher has not been trained.");
        Directory.CreateDirectory(directory);
        LocalModelFile.Write(Path.Combine(directory, LocalModelFile.FileName), model);
        var settings = new LocalTeacherSettings
        {
            Format = "lahja-local-teacher", Version = 1, Features = "char 1-5 + word 1-2 TF-IDF (sublinear, smoothed idf, L2)",
            Learner = "ML.NET SdcaLogisticRegression one-vs-rest", RelativeThreshold = options.RelativeThreshold,
            Labels = Dialects.Table.Select(d => d.Label).ToArray(), Hash = model.Hash, Training = TrainingSummary,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, LocalTeacherSettings.FileName), JsonSerializer.Serialize(settings, IndentedJson));
    }

    private static string HashProbabilities(float[] p)
    {
        var bytes = new byte[p.Length * 4];
        Buffer.BlockCopy(p, 0, bytes, 0, bytes.Length);
        return Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
