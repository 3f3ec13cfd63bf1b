using TorchSharp.Modules;

namespace Lahja.Torch.Training;

/// <summary>
/// transformers' <c>get_linear_schedule_with_warmup</c>: the learning rate rises linearly to its peak over the warm-up
/// steps, then falls linearly to 0 at the last step.
/// </summary>
/// <param name="PeakLearningRate">The rate at the end of warm-up.</param>
/// <param name="WarmupSteps">Warm-up steps (capped at <paramref name="TotalSteps"/>).</param>
/// <param name="TotalSteps">Optimiser steps the schedule spans.</param>
internal sealed record LinearWarmupSchedule(double PeakLearningRate, int WarmupSteps, int TotalSteps)
{
    /// <summary>The rate for step <paramref name="step"/> (from 0) of the schedule.</summary>
    public double LearningRate(int step)
    {
        var warmup = Math.Min(WarmupSteps, TotalSteps);
        var factor = step < warmup ? (step + 1.0) / Math.Max(1, warmup) : Math.Max(0, (TotalSteps - step) / (double)Math.Max(1, TotalSteps - warmup));
        return PeakLearningRate * factor;
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate of <paramref name="step"/>.</summary>
    public void Apply(AdamW optimizer, int step)
    {
        var rate = LearningRate(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }
}
