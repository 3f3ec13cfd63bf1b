using Lahja.Checkpoints;

namespace Lahja.Torch;

/// <summary>The TorchSharp engine factory (fp32; the reference engine).</summary>
public sealed class TorchEngineFactory : IDialectEngineFactory
{
    /// <inheritdoc />
    public string Name => "torch";

    /// <inheritdoc />
    public bool CanLoad(string modelDirectory) => CheckpointFiles.HasWeights(modelDirectory);

    /// <inheritdoc />
    /// <exception cref="TorchUnavailableException">libtorch cannot be loaded.</exception>
    public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads)
    {
        TorchRuntime.EnsureInitialized();
        return TorchDialectEngine.Load(modelDirectory, config, threads);
    }
}
