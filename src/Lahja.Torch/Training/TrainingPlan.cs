namespace Lahja.Torch.Training;

/// <summary>
/// The optimiser steps a run makes: a curriculum's stages cut into batches (<see cref="TrainingOptions.BatchSize"/>)
/// and steps (<see cref="TrainingOptions.GradientAccumulation"/> batches each), and the learning-rate schedule each
/// step follows.
/// </summary>
internal sealed class TrainingPlan
{
    private readonly TrainingOptions _options;
    private readonly int[] _stepsPerStage;

    public TrainingPlan(IReadOnlyList<CurriculumStage> stages, TrainingOptions options)
    {
        Stages = stages;
        _options = options;
        _stepsPerStage = stages.Select(s => s.Epochs * StepsPerEpoch(s)).ToArray();
    }

    /// <summary>The curriculum's stages, in training order.</summary>
    public IReadOnlyList<CurriculumStage> Stages { get; }

    /// <summary>Optimiser steps over the whole run.</summary>
    public int TotalSteps => _stepsPerStage.Sum();

    /// <summary>
    /// The staged curriculum fine-tunes each stage afresh (new optimiser and schedule), as the authors' code does; the
    /// other strategies run one optimiser and one schedule over all epochs.
    /// </summary>
    public bool OptimizerPerStage => _options.Curriculum == CurriculumStrategy.CardinalityStages;

    /// <summary>Optimiser steps in one epoch of stage <paramref name="stageIndex"/>.</summary>
    public int StepsPerEpoch(int stageIndex) => StepsPerEpoch(Stages[stageIndex]);

    /// <summary>The example indices of each batch of stage <paramref name="stageIndex"/>, in training order.</summary>
    public int[][] Batches(int stageIndex) => Stages[stageIndex].Indices.Chunk(_options.BatchSize).ToArray();

    /// <summary>The schedule stage <paramref name="stageIndex"/> follows.</summary>
    public LinearWarmupSchedule Schedule(int stageIndex) =>
        new(_options.LearningRate, _options.WarmupSteps, OptimizerPerStage ? _stepsPerStage[stageIndex] : TotalSteps);

    /// <summary>Where step <paramref name="step"/> of epoch <paramref name="epoch"/> of a stage falls in its schedule.</summary>
    public int ScheduleStep(int stageIndex, int epoch, int step) =>
        (OptimizerPerStage ? 0 : _stepsPerStage.Take(stageIndex).Sum()) + epoch * StepsPerEpoch(stageIndex) + step;

    private int StepsPerEpoch(CurriculumStage stage) =>
        (int)Math.Ceiling(Math.Ceiling(stage.Indices.Length / (double)_options.BatchSize) / _options.GradientAccumulation);
}
