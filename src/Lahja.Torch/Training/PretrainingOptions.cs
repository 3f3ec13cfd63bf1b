using Lahja.Text;

namespace Lahja.Torch.Training;

/// <summary>Settings of a masked-language-model pre-training run (<see cref="Pretrainer"/>). Defaults are BERT's where it has one.</summary>
public sealed record PretrainingOptions
{
    /// <summary>Peak learning rate (BERT: 1e-4; a small model from scratch learns faster with more).</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Hidden-state and attention dropout (BERT: 0.1).</summary>
    public double Dropout { get; init; } = 0.1;
    /// <summary>Texts per optimiser step.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Passes over the texts.</summary>
    public int Epochs { get; init; } = 3;
    /// <summary>Maximum tokens per text; longer texts are cut, as fine-tuning and prediction cut them.</summary>
    public int MaxLength { get; init; } = BertTokenizer.DefaultMaxLength;
    /// <summary>Share of the (non-special) tokens chosen for prediction (BERT: 0.15).</summary>
    public double MaskProbability { get; init; } = 0.15;
    /// <summary>AdamW weight decay, not applied to biases and LayerNorm weights (0.01).</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Linear warm-up steps, then linear decay to 0.</summary>
    public int WarmupSteps { get; init; } = 500;
    /// <summary>Gradient-norm clipping (1.0; 0 disables).</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Texts held out (at most a tenth of them) to measure the loss and accuracy on after each epoch; 0: none.</summary>
    public int HoldoutTexts { get; init; } = 1000;
    /// <summary>Seed for initialisation, the hold-out, shuffling, masking and dropout.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Preprocessing preset applied to every text (the one fine-tuning and prediction will use).</summary>
    public string Preprocessing { get; init; } = TextPreprocessor.B2BertPresetName;
    /// <summary>CPU threads (null: libtorch's default).</summary>
    public int? Threads { get; init; }
    /// <summary>Device: auto, cpu, cuda, cuda:N; null: <c>$LAHJA_DEVICE</c>, else auto.</summary>
    public string? Device { get; init; }
}
