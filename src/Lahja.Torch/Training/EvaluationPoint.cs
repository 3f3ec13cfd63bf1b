namespace Lahja.Torch.Training;

/// <summary>Dev-set results after a stage or epoch.</summary>
/// <param name="Stage">Stage or epoch name.</param>
/// <param name="Step">Optimiser steps done overall.</param>
/// <param name="Metric">The value compared for early stopping, 0–100 (macro F1, or arg-max macro F1 on single-label dev data: <see cref="Trainer.MetricName"/>).</param>
/// <param name="Improved">Whether it beat the best so far (the checkpoint was kept).</param>
public readonly record struct EvaluationPoint(string Stage, int Step, double Metric, bool Improved);
