using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lahja.Torch.Training;

/// <summary>
/// Where a run stands (<c>trainer_state.json</c> in a checkpoint): the next step to train, the best dev metric and
/// early stopping's count, and how much of the metrics log belongs to the checkpoint.
/// </summary>
internal sealed record TrainingState
{
    /// <summary>Whether anything was trained (a fresh run's state is not).</summary>
    public bool Started { get; init; }

    /// <summary>The stage to train next.</summary>
    public int Stage { get; init; }

    /// <summary>The epoch of <see cref="Stage"/> to train next.</summary>
    public int Epoch { get; init; }

    /// <summary>The step of <see cref="Epoch"/> to train next.</summary>
    public int StepInEpoch { get; init; }

    /// <summary>Optimiser steps done overall.</summary>
    public int GlobalStep { get; set; }

    /// <summary>The best dev metric so far (negative infinity before the first evaluation).</summary>
    public double BestMetric { get; init; } = double.NegativeInfinity;

    /// <summary>Evaluations since the best one.</summary>
    public int SinceBest { get; init; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool Stopped { get; init; }

    /// <summary>The metrics log's length when the checkpoint was written.</summary>
    public long? MetricsBytes { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static TrainingState Load(string path) => JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path), JsonOptions)
                                                     ?? throw new InvalidDataException($"{path}: empty trainer state.");

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));
}
