using Lahja.Text;

namespace Lahja.Torch.Training;

/// <summary>Settings of a training run. Defaults are B2BERT's (model card and code).</summary>
public sealed record TrainingOptions
{
    /// <summary>Peak learning rate (card: 1e-5).</summary>
    public double LearningRate { get; init; } = 1e-5;
    /// <summary>Hidden-state and classifier dropout (card: 0.3).</summary>
    public double Dropout { get; init; } = 0.3;
    /// <summary>Examples per optimiser step before accumulation (card: 11).</summary>
    public int BatchSize { get; init; } = 11;
    /// <summary>Epochs (strategies none and cardinality-epochs) or epochs per stage (cardinality-stages).</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Maximum tokens per text (128).</summary>
    public int MaxLength { get; init; } = BertTokenizer.DefaultMaxLength;
    /// <summary>AdamW weight decay, not applied to biases and LayerNorm weights (0.01).</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Linear warm-up steps (500), then linear decay to 0.</summary>
    public int WarmupSteps { get; init; } = 500;
    /// <summary>Gradient-norm clipping (1.0; 0 disables).</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Freeze the embeddings.</summary>
    public bool FreezeEmbeddings { get; init; }
    /// <summary>Freeze the first N encoder layers (B2BERT's code: 8).</summary>
    public int FreezeLayers { get; init; }
    /// <summary>Batches accumulated per optimiser step.</summary>
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>Seed for initialisation, sampling, shuffling and dropout.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>The curriculum.</summary>
    public CurriculumStrategy Curriculum { get; init; } = CurriculumStrategy.None;
    /// <summary>Early-stopping patience in evaluations without improvement (B2BERT: 2); null disables.</summary>
    public int? Patience { get; init; } = 2;
    /// <summary>Save a resumable checkpoint every N optimiser steps (0: only at evaluation points).</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>Preprocessing preset applied to training and dev texts.</summary>
    public string Preprocessing { get; init; } = TextPreprocessor.B2BertPresetName;
    /// <summary>Positive-class weight of the BCE loss (null: 1).</summary>
    public float? PositiveWeight { get; init; }
    /// <summary>Threshold used when scoring the dev set.</summary>
    public float Threshold { get; init; } = DialectIdentifierOptions.DefaultThreshold;
    /// <summary>CPU threads (null: libtorch's default).</summary>
    public int? Threads { get; init; }

    /// <summary>Device: auto (CUDA when available, else CPU), cpu, cuda, cuda:N; null: <c>$LAHJA_DEVICE</c>, else auto.</summary>
    public string? Device { get; init; }
}
