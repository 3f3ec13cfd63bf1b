using System.Security.Cryptography;
using Lahja.Checkpoints;

namespace Lahja.Distillation;

/// <summary>
/// A Lahja / Hugging Face dialect model as teacher (for example B2BERT itself, to distil it into a smaller student):
/// the model's thresholds decide the labels, and all 18 probabilities are kept as soft targets.
/// </summary>
/// <param name="identifier">The loaded model (its preprocessing preset applies to the original sentence).</param>
/// <param name="spec">The directory or Hub id as given, for provenance.</param>
public sealed class ModelTeacher(DialectIdentifier identifier, string spec) : ITeacher
{
    /// <inheritdoc/>
    public string Name => $"model:{spec}";

    /// <inheritdoc/>
    /// <remarks>The fingerprint of the weights that the server's <c>/v1/model</c>, evaluation reports and jobs show.</remarks>
    public string Version { get; } = CheckpointFiles.WeightsSha256(identifier.ModelDirectory) ?? "unknown";

    /// <summary>
    /// Texts predicted together (batches form within a window, as <c>lahja predict</c> reads its input): a run over
    /// rows cut between windows (<c>pseudo-label --shard</c>) batches every text as a run over all of them does.
    /// </summary>
    public const int WindowTexts = 256;

    /// <inheritdoc/>
    public Task<TeacherAnswer?[]> LabelAsync(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var predictions = new List<DialectPrediction>(items.Count);
        foreach (var window in items.Select(x => x.Text).Chunk(WindowTexts))
        {
            cancellationToken.ThrowIfCancellationRequested();
            predictions.AddRange(identifier.Predict(window, new Progress(progress, predictions.Count, items.Count)));
        }
        return predictions.Select(p =>
        {
            var probabilities = p.Probabilities.ToArray();
            var labels = Dialects.All.Select(d => p.Dialects.Any(s => s.Dialect == d)).ToArray();
            var bytes = new byte[probabilities.Length * 4];
            Buffer.BlockCopy(probabilities, 0, bytes, 0, bytes.Length);
            return (TeacherAnswer?)new TeacherAnswer(labels, probabilities, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        }).ToArray();
    }, cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => identifier.Dispose();

    private sealed class Progress(IProgress<LabelingProgress>? inner, int done, int total) : IProgress<int>
    {
        public void Report(int value) => inner?.Report(new LabelingProgress(done + value, total));
    }
}
