namespace Lahja.Torch.Training;

/// <summary>One progress report of a training run.</summary>
/// <param name="Stage">Stage or epoch name.</param>
/// <param name="Step">Optimiser steps done overall.</param>
/// <param name="TotalSteps">Optimiser steps planned overall.</param>
/// <param name="Loss">Mean loss since the last report.</param>
/// <param name="ExamplesPerSecond">Throughput since the last report.</param>
public readonly record struct TrainingProgress(string Stage, int Step, int TotalSteps, double Loss, double ExamplesPerSecond);
