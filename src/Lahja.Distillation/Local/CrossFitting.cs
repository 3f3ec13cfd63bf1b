using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Lahja.Distillation.Local;

/// <summary>
/// Trains the local teacher on the gold countries of the rows it labels, cross-fitted: each row is scored by models
/// trained on the other folds (rows with the same text share a fold, by hash), each dialect's out-of-fold scores are
/// Platt-calibrated, and a final model is trained on every row.
/// </summary>
internal sealed class CrossFitting(LocalTeacherOptions options)
{
    /// <summary>The final model, the calibrated out-of-fold probabilities of <paramref name="items"/>, and a summary.</summary>
    public (LocalModel Model, float[][] Probabilities, string Summary) Train(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken)
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
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{items.Count:N0} rows, {featurizer.Count:N0} features, {options.Folds} folds, {(DateTime.UtcNow - started).TotalSeconds:0} s");
        return (new LocalModel(featurizer, finalWeights, finalBiases, calibration), scores.Select(s => Platt.Calibrate(s, calibration)).ToArray(), summary);
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

    private sealed class Row
    {
        public bool Label { get; set; }

        public VBuffer<float> Features { get; set; }
    }
}
