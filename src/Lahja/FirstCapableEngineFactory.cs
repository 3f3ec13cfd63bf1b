using Lahja.Checkpoints;

namespace Lahja;

/// <summary>
/// Hands each model directory to the first of several engines that can load it: the CLI's <c>--engine auto</c> is
/// ONNX Runtime, then TorchSharp for what only TorchSharp reads (a checkpoint with just <c>pytorch_model.bin</c>).
/// </summary>
public sealed class FirstCapableEngineFactory : IDialectEngineFactory
{
    private readonly IReadOnlyList<IDialectEngineFactory> _engines;

    /// <summary>Tries <paramref name="engines"/> in order.</summary>
    public FirstCapableEngineFactory(params IReadOnlyList<IDialectEngineFactory> engines)
    {
        ArgumentNullException.ThrowIfNull(engines);
        if (engines.Count == 0 || engines.Any(e => e is null)) throw new ArgumentException("At least one engine, and no null.", nameof(engines));
        _engines = engines;
    }

    /// <inheritdoc />
    public string Name => "auto (" + string.Join(", then ", _engines.Select(e => e.Name)) + ")";

    /// <inheritdoc />
    public IReadOnlyList<string> HubFiles => _engines.SelectMany(e => e.HubFiles).Distinct().ToArray();

    /// <inheritdoc />
    public bool CanLoad(string modelDirectory) => _engines.Any(e => e.CanLoad(modelDirectory));

    /// <summary>The engine that loads <paramref name="modelDirectory"/>: the first that can, or null.</summary>
    public IDialectEngineFactory? For(string modelDirectory) => _engines.FirstOrDefault(e => e.CanLoad(modelDirectory));

    /// <inheritdoc />
    public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads) =>
        (For(modelDirectory) ?? throw new FileNotFoundException($"'{modelDirectory}' has no weights that {Name} loads."))
        .Create(modelDirectory, config, threads);
}
