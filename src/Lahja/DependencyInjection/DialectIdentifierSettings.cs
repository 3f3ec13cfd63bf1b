namespace Lahja.DependencyInjection;

/// <summary>
/// Settings of the <see cref="DialectIdentifier"/> that
/// <see cref="Microsoft.Extensions.DependencyInjection.DialectIdentifierServiceCollectionExtensions.AddDialectIdentifier(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration, Action{DialectIdentifierSettings}?)"/>
/// registers, bound from configuration (a section such as <c>"Lahja": { "Model": "AHAAM/B2BERT", "Threshold": 0.3 }</c>).
/// Unset values keep <see cref="DialectIdentifierOptions"/>' defaults (and the model's <c>lahja.json</c>).
/// </summary>
public sealed class DialectIdentifierSettings
{
    /// <summary>A checkpoint directory or a Hugging Face Hub id; null: <c>$LAHJA_MODEL</c>, else a bundled <c>models/default</c> (<see cref="ModelLocator.Resolve"/>).</summary>
    public string? Model { get; set; }

    /// <summary><see cref="DialectIdentifierOptions.Threshold"/>.</summary>
    public float? Threshold { get; set; }

    /// <summary><see cref="DialectIdentifierOptions.RelativeThreshold"/>.</summary>
    public float? RelativeThreshold { get; set; }

    /// <summary><see cref="DialectIdentifierOptions.MaxLength"/>.</summary>
    public int? MaxLength { get; set; }

    /// <summary><see cref="DialectIdentifierOptions.BatchSize"/>.</summary>
    public int? BatchSize { get; set; }

    /// <summary><see cref="DialectIdentifierOptions.Preprocessing"/>.</summary>
    public string? Preprocessing { get; set; }

    /// <summary><see cref="DialectIdentifierOptions.TopK"/>.</summary>
    public int? TopK { get; set; }

    /// <summary><see cref="DialectIdentifierOptions.Threads"/>.</summary>
    public int? Threads { get; set; }

    /// <summary>The engine (set in code, not from configuration): Lahja.Onnx's <c>OnnxEngineFactory</c>, or Lahja.Torch's <c>TorchEngineFactory</c>.</summary>
    public IDialectEngineFactory? Engine { get; set; }

    /// <summary>These settings as the identifier's options, defaults where unset.</summary>
    public DialectIdentifierOptions ToOptions()
    {
        var defaults = new DialectIdentifierOptions();
        return defaults with
        {
            Threshold = Threshold,
            RelativeThreshold = RelativeThreshold,
            MaxLength = MaxLength,
            BatchSize = BatchSize ?? defaults.BatchSize,
            Preprocessing = Preprocessing ?? defaults.Preprocessing,
            TopK = TopK ?? defaults.TopK,
            Threads = Threads,
            Engine = Engine,
        };
    }
}
