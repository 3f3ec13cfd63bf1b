using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Lahja.Distillation.Local;

/// <summary>Settings of the local teacher.</summary>
public sealed class LocalTeacherOptions
{
    /// <summary>Cross-fitting folds: a row is labelled by the models trained on the other folds.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>
    /// A dialect is marked valid when its calibrated probability is at least this fraction of the best one's (the top
    /// dialect always is). Lower: more dialects per sentence.
    /// </summary>
    public double RelativeThreshold { get; init; } = 0.3;

    /// <summary>
    /// L2 regularisation of each logistic regression (SDCA's λ). Measured on NADI 2021 dev (trained on the three NADI
    /// training files): 1e-4 → top-1 19.6%, 1e-5 → 37.1%, 1e-6 → 42.2% (arg-max macro F1 28.3).
    /// </summary>
    public float L2 { get; init; } = 1e-6f;

    /// <summary>SDCA passes over the data (15 reached the accuracy of 60 at λ = 1e-6, in a quarter of the time).</summary>
    public int Iterations { get; init; } = 15;

    /// <summary>Seed (fold assignment is by text hash; the seed drives the learner's shuffling).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Parallel learners (each is single-threaded, so results do not depend on this).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// The offline teacher: one binary logistic regression per dialect (one-vs-rest, ML.NET's SDCA learner) on character
/// 1–5-gram and word 1–2-gram TF-IDF features, trained on single-label data. Cross-fitted: each row is labelled by
/// models that never saw it (rows with the same text share a fold). Each dialect's scores are Platt-calibrated on the
/// out-of-fold scores; a sentence gets every dialect whose probability is within <see cref="LocalTeacherOptions.RelativeThreshold"/>
/// of the best. Saved as <c>local-teacher.json</c> + <c>local-teacher.bin</c> for reuse (<c>local:DIR</c>).
/// </summary>
public sealed class LocalTeacher : ITeacher
{
    private const string SettingsFile = "local-teacher.json", WeightsFile = "local-teacher.bin";
    private const uint Magic = 0x4C4A4C54; // "LJLT"
    private readonly LocalTeacherOptions options;
    private LocalModel? model;
    private readonly string? directory;

    /// <summary>A teacher that trains on the rows it labels (their gold countries), cross-fitted.</summary>
    public LocalTeacher(LocalTeacherOptions options) => this.options = options;

    private LocalTeacher(LocalModel model, string directory, LocalTeacherOptions options)
    {
        this.model = model;
        this.directory = directory;
        this.options = options;
    }

    /// <summary>Loads a saved teacher (<c>local:DIR</c>), which labels any text with its final model.</summary>
    /// <param name="directory">The folder written by <see cref="Save"/>.</param>
    /// <param name="relativeThreshold">Overrides the saved relative threshold.</param>
    public static LocalTeacher Load(string directory, double? relativeThreshold = null)
    {
        var settingsPath = Path.Combine(directory, SettingsFile);
        if (!File.Exists(settingsPath)) throw new FileNotFoundException($"'{directory}' is not a local teacher (no {SettingsFile}).", settingsPath);
        var settings = JsonSerializer.Deserialize<SavedSettings>(File.ReadAllText(settingsPath))
            ?? throw new InvalidDataException($"{settingsPath}: empty.");
        var model = LocalModel.Read(Path.Combine(directory, WeightsFile), settings);
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
        else probabilities = TrainCrossFitted(items, progress, cancellationToken);
        progress?.Report(new LabelingProgress(items.Count, items.Count));
        return probabilities.Select(p => (TeacherAnswer?)new TeacherAnswer(Decide(p, options.RelativeThreshold), p, HashProbabilities(p))).ToArray();
    }

    /// <summary>Every dialect within the relative threshold of the best (the best always).</summary>
    public static bool[] Decide(IReadOnlyList<float> probabilities, double relativeThreshold)
    {
        var best = probabilities.Max();
        return probabilities.Select(p => p >= best * relativeThreshold).ToArray();
    }

    private float[][] TrainCrossFitted(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken)
    {
        if (items.Any(x => x.Gold is null))
            throw new InvalidOperationException("the local teacher trains on the gold countries of the rows it labels, and some rows have none; train it on single-label data, or use local:DIR.");
        if (options.Folds < 2) throw new ArgumentOutOfRangeException(nameof(options), "at least 2 cross-fitting folds are needed.");
        var started = DateTime.UtcNow;
        var featurizer = NgramFeaturizer.Fit(items.Select(x => x.Text).ToList());
        var vectors = new SparseVector[items.Count];
        Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, i => vectors[i] = featurizer.Transform(items[i].Text));
        var gold = items.Select(x => (int)x.Gold!.Value).ToArray();
        var fold = items.Select(x => (int)(BitConverter.ToUInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(x.Text)), 0) % (uint)options.Folds)).ToArray();
        var scores = new float[items.Count][];
        var steps = (options.Folds + 1) * Dialects.Count;
        var finished = 0;
        void Step()
        {
            var n = Interlocked.Increment(ref finished);
            progress?.Report(new LabelingProgress((int)((long)n * items.Count / steps), items.Count));
        }
        for (var f = 0; f < options.Folds; f++)
        {
            var trainRows = Enumerable.Range(0, items.Count).Where(i => fold[i] != f).ToArray();
            var (weights, biases) = TrainOneVersusRest(vectors, gold, trainRows, featurizer.Count, Step, cancellationToken);
            for (var i = 0; i < items.Count; i++)
                if (fold[i] == f) scores[i] = LocalModel.Scores(weights, biases, vectors[i]);
        }
        // Platt scaling per dialect on the out-of-fold scores: the probabilities a model gives on unseen text.
        var calibration = new (float A, float B)[Dialects.Count];
        for (var d = 0; d < Dialects.Count; d++)
            calibration[d] = Platt.Fit(scores.Select(s => s[d]).ToArray(), gold.Select(g => g == d).ToArray());
        var (finalWeights, finalBiases) = TrainOneVersusRest(vectors, gold, Enumerable.Range(0, items.Count).ToArray(), featurizer.Count, Step, cancellationToken);
        model = new LocalModel(featurizer, finalWeights, finalBiases, calibration);
        TrainingSummary = string.Create(CultureInfo.InvariantCulture,
            $"{items.Count:N0} rows, {featurizer.Count:N0} features, {options.Folds} folds, {(DateTime.UtcNow - started).TotalSeconds:0} s");
        return scores.Select(s => LocalModel.Calibrate(s, calibration)).ToArray();
    }

    private (float[][] Weights, float[] Biases) TrainOneVersusRest(SparseVector[] vectors, int[] gold, int[] rows, int features, Action step, CancellationToken cancellationToken)
    {
        var weights = new float[Dialects.Count][];
        var biases = new float[Dialects.Count];
        Parallel.For(0, Dialects.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken }, d =>
        {
            var ml = new MLContext(seed: options.Seed + d);
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
            var data = ml.Data.LoadFromEnumerable(rows.Select(i => new Row
            {
                Label = gold[i] == d,
                Features = new VBuffer<float>(features, vectors[i].Values.Length, vectors[i].Values, vectors[i].Indices),
            }), schema);
            var trainer = ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                NumberOfThreads = 1, L2Regularization = options.L2, Shuffle = true, MaximumNumberOfIterations = options.Iterations,
            });
            var fitted = trainer.Fit(data).Model.SubModel;
            var w = new float[features];
            var learned = fitted.Weights;
            for (var i = 0; i < features; i++) w[i] = learned[i];
            weights[d] = w;
            biases[d] = fitted.Bias;
            step();
        });
        return (weights, biases);
    }

    /// <summary>Saves the final model for reuse as <c>local:DIR</c> (written to temporary files, then renamed).</summary>
    public void Save(string directory)
    {
        if (model is null) throw new InvalidOperationException("nothing to save: the teacher has not been trained.");
        Directory.CreateDirectory(directory);
        model.Write(Path.Combine(directory, WeightsFile));
        var settings = new SavedSettings
        {
            Format = "lahja-local-teacher", Version = 1, Features = "char 1-5 + word 1-2 TF-IDF (sublinear, smoothed idf, L2)",
            Learner = "ML.NET SdcaLogisticRegression one-vs-rest", RelativeThreshold = options.RelativeThreshold,
            Labels = Dialects.Table.Select(d => d.Label).ToArray(), Hash = model.Hash, Training = TrainingSummary,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, SettingsFile), JsonSerializer.Serialize(settings, new JsonSerializerOptions { WriteIndented = true }));
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

    private sealed class Row
    {
        public bool Label { get; set; }

        public VBuffer<float> Features { get; set; }
    }

    internal sealed class SavedSettings
    {
        [JsonPropertyName("format")] public string Format { get; set; } = "";
        [JsonPropertyName("version")] public int Version { get; set; }
        [JsonPropertyName("features")] public string Features { get; set; } = "";
        [JsonPropertyName("learner")] public string Learner { get; set; } = "";
        [JsonPropertyName("relative_threshold")] public double RelativeThreshold { get; set; }
        [JsonPropertyName("labels")] public string[] Labels { get; set; } = [];
        [JsonPropertyName("hash")] public string Hash { get; set; } = "";
        [JsonPropertyName("training")] public string? Training { get; set; }
    }

    /// <summary>The final model: featurizer, one weight vector and bias per dialect, and the calibration.</summary>
    private sealed class LocalModel(NgramFeaturizer featurizer, float[][] weights, float[] biases, (float A, float B)[] calibration)
    {
        public NgramFeaturizer Featurizer { get; } = featurizer;

        public string Hash { get; } = ComputeHash(weights, biases);

        public float[] Probabilities(SparseVector x) => Calibrate(Scores(weights, biases, x), calibration);

        public static float[] Scores(float[][] weights, float[] biases, SparseVector x)
        {
            var scores = new float[weights.Length];
            for (var d = 0; d < weights.Length; d++)
            {
                var w = weights[d];
                var s = biases[d];
                for (var k = 0; k < x.Indices.Length; k++) s += w[x.Indices[k]] * x.Values[k];
                scores[d] = s;
            }
            return scores;
        }

        public static float[] Calibrate(float[] scores, (float A, float B)[] calibration) =>
            scores.Select((s, d) => (float)(1 / (1 + Math.Exp(-(calibration[d].A * s + calibration[d].B))))).ToArray();

        private static string ComputeHash(float[][] weights, float[] biases)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var w in weights.Append(biases))
            {
                var bytes = new byte[w.Length * 4];
                Buffer.BlockCopy(w, 0, bytes, 0, bytes.Length);
                sha.AppendData(bytes);
            }
            return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
        }

        public void Write(string path)
        {
            var (keys, idf) = Featurizer.Export();
            AtomicFile.Write(path, stream =>
            {
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                writer.Write(Magic);
                writer.Write(keys.Length);
                writer.Write(weights.Length);
                foreach (var k in keys) writer.Write(k);
                foreach (var v in idf) writer.Write(v);
                for (var d = 0; d < weights.Length; d++)
                {
                    writer.Write(biases[d]);
                    writer.Write(calibration[d].A);
                    writer.Write(calibration[d].B);
                    foreach (var v in weights[d]) writer.Write(v);
                }
            });
        }

        public static LocalModel Read(string path, SavedSettings settings)
        {
            try
            {
                using var reader = new BinaryReader(File.OpenRead(path));
                if (reader.ReadUInt32() != Magic) throw new InvalidDataException($"{path}: not a Lahja local-teacher file.");
                var features = reader.ReadInt32();
                var labels = reader.ReadInt32();
                if (labels != Dialects.Count || settings.Labels.Length != Dialects.Count) throw new InvalidDataException($"{path}: {labels} labels, expected {Dialects.Count}.");
                var keys = new ulong[features];
                for (var i = 0; i < features; i++) keys[i] = reader.ReadUInt64();
                var idf = new float[features];
                for (var i = 0; i < features; i++) idf[i] = reader.ReadSingle();
                var weights = new float[labels][];
                var biases = new float[labels];
                var calibration = new (float, float)[labels];
                for (var d = 0; d < labels; d++)
                {
                    biases[d] = reader.ReadSingle();
                    calibration[d] = (reader.ReadSingle(), reader.ReadSingle());
                    weights[d] = new float[features];
                    for (var i = 0; i < features; i++) weights[d][i] = reader.ReadSingle();
                }
                var model = new LocalModel(NgramFeaturizer.Import(keys, idf), weights, biases, calibration);
                if (model.Hash != settings.Hash) throw new InvalidDataException($"{path}: the weights do not match {SettingsFile} (hash {model.Hash}, expected {settings.Hash}).");
                return model;
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"{path}: truncated.");
            }
        }
    }
}

/// <summary>Platt scaling: p = σ(a·s + b) fitted by Newton's method on (score, label) pairs, with Platt's target smoothing.</summary>
internal static class Platt
{
    public static (float A, float B) Fit(float[] scores, bool[] labels)
    {
        double positives = labels.Count(x => x), negatives = labels.Length - positives;
        double hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2);
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (var i = 0; i < scores.Length; i++)
            {
                var p = 1 / (1 + Math.Exp(-(a * scores[i] + b)));
                var t = labels[i] ? hi : lo;
                var g = p - t;
                var h = Math.Max(p * (1 - p), 1e-12);
                ga += g * scores[i];
                gb += g;
                haa += h * scores[i] * scores[i];
                hab += h * scores[i];
                hbb += h;
            }
            haa += 1e-9;
            hbb += 1e-9;
            var det = haa * hbb - hab * hab;
            if (Math.Abs(det) < 1e-18) break;
            var da = (hbb * ga - hab * gb) / det;
            var db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) < 1e-9 && Math.Abs(db) < 1e-9) break;
        }
        return double.IsFinite(a) && double.IsFinite(b) ? ((float)a, (float)b) : (1f, 0f);
    }
}
