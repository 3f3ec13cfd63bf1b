using System.Diagnostics;

namespace Lahja.Torch.Training;

/// <summary>
/// Reports progress every few seconds (and at the last step): the mean loss and the throughput since the previous
/// report.
/// </summary>
internal sealed class StepReporter(IProgress<TrainingProgress>? progress, string stage, int totalSteps)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private double _loss;
    private int _steps;
    private int _examples;

    public void Step(int step, double loss, int examples)
    {
        _loss += loss;
        _steps++;
        _examples += examples;
        if (progress is null || (_watch.Elapsed.TotalSeconds < 5 && step < totalSteps)) return;
        progress.Report(new TrainingProgress(stage, step, totalSteps, _loss / _steps, _examples / _watch.Elapsed.TotalSeconds));
        _watch.Restart();
        _loss = 0;
        _steps = 0;
        _examples = 0;
    }
}
