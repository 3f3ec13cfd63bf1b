using Lahja.Checkpoints;

namespace Lahja.Onnx;

/// <summary>Creates <see cref="OnnxDialectEngine"/>s at one precision.</summary>
public sealed class OnnxEngineFactory : IDialectEngineFactory
{
    /// <summary>Bits of the int8 engine's weights.</summary>
    public const int DefaultWeightBits = 8;

    /// <summary>fp32 engines (the default <see cref="DialectIdentifier.Load"/> finds).</summary>
    public OnnxEngineFactory() : this(OnnxPrecision.Fp32)
    {
    }

    /// <summary>Engines at <paramref name="precision"/>.</summary>
    public OnnxEngineFactory(OnnxPrecision precision, int weightBits = DefaultWeightBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weightBits, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weightBits, 8);
        Precision = precision;
        WeightBits = weightBits;
    }

    /// <summary>The precision engines run in.</summary>
    public OnnxPrecision Precision { get; }

    /// <summary>Bits of the quantized weights (int8 only; 7 keeps u8×s8 products clear of int16 saturation on CPUs without VNNI).</summary>
    public int WeightBits { get; }

    /// <inheritdoc />
    public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads) =>
        OnnxDialectEngine.Load(modelDirectory, config, Precision, threads, WeightBits);
}
