using System.Text.Json;

namespace Lahja.Torch.Training;

/// <summary>
/// <c>metrics.jsonl</c> in a run's output: one JSON object per optimiser step (<c>kind: step</c>) and per dev
/// evaluation (<c>kind: evaluation</c>), appended as the run goes.
/// </summary>
internal sealed class MetricsLog
{
    private readonly string _path;

    private MetricsLog(string path) => _path = path;

    /// <summary>
    /// The log of <paramref name="output"/> for a run at <paramref name="state"/>: emptied for a fresh run; for a
    /// resumed one, cut back to what the checkpoint had logged, since the lines after it belong to steps the resumed
    /// run does again (kept, they would be logged twice).
    /// </summary>
    public static MetricsLog Open(string output, TrainingState state)
    {
        var path = Path.Combine(output, "metrics.jsonl");
        if (!state.Started && File.Exists(path)) File.Delete(path);
        if (state.Started && state.MetricsBytes is { } logged && File.Exists(path) && new FileInfo(path).Length > logged)
            using (var log = new FileStream(path, FileMode.Open, FileAccess.Write)) log.SetLength(logged);
        return new MetricsLog(path);
    }

    /// <summary>Bytes logged so far (kept in a checkpoint's state).</summary>
    public long Length => File.Exists(_path) ? new FileInfo(_path).Length : 0;

    /// <summary>Logs an optimiser step: its mean loss per example and the learning rate it ran at.</summary>
    public void Step(string stage, int epoch, int step, double loss, double lr) =>
        Append(new { kind = "step", stage, epoch, step, loss, lr });

    /// <summary>Logs a dev evaluation.</summary>
    public void Evaluation(string stage, int epoch, int step, double metric, string metricName, bool improved) =>
        Append(new { kind = "evaluation", stage, epoch, step, metric, metric_name = metricName, improved });

    private void Append(object record) => File.AppendAllText(_path, JsonSerializer.Serialize(record) + "\n");
}
