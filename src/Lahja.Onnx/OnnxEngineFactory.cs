using Lahja.Checkpoints;

namespace Lahja.Onnx;

/// <summary>Creates <see cref="OnnxDialectEngine"/>s at one precision.</summary>
public sealed class OnnxEngineFactory(OnnxPrecision precision = OnnxPrecision.Fp32) : IDialectEngineFactory
{
    /// <summary>Bits of the int8 engine's weights (see docs/benchmarks.md for why).</summary>
    public const int DefaultWeightBits = 8;

    /// <summary>The precision engines run in.</summary>
    public OnnxPrecision Precision { get; } = precision;

    /// <inheritdoc />
    public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads) =>
        OnnxDialectEngine.Load(modelDirectory, config, Precision, threads);
}
