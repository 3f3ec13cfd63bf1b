namespace Lahja.Torch.Training;

/// <summary>
/// Early stopping on the dev metric: the run stops after <paramref name="patience"/> evaluations in a row without
/// improvement (never when null). Its count lives in <see cref="TrainingState"/>, so a resumed run keeps it.
/// </summary>
internal sealed class EarlyStopping(int? patience)
{
    /// <summary>The state after an evaluation that measured <paramref name="metric"/>, and whether it beat the best so far.</summary>
    public (TrainingState State, bool Improved) Observe(TrainingState state, double metric)
    {
        var improved = metric > state.BestMetric;
        state = improved ? state with { BestMetric = metric, SinceBest = 0 } : state with { SinceBest = state.SinceBest + 1 };
        if (patience is { } limit && state.SinceBest >= limit) state = state with { Stopped = true };
        return (state, improved);
    }
}
