using Lahja.Checkpoints;

namespace Lahja.Onnx;

/// <summary>Creates <see cref="OnnxDialectEngine"/>s at one precision.</summary>
public sealed class OnnxEngineFactory : IDialectEngineFactory
{
    /// <summary>Bits of the int8 engine's weights.</summary>
    public const int DefaultWeightBits = 8;

    /// <summary>Engines at each model's default precision: <c>precision</c> in its <c>lahja.json</c>, else fp32.</summary>
    public OnnxEngineFactory() : this(null)
    {
    }

    /// <summary>Engines at <paramref name="precision"/>; null: each model's default, as <see cref="OnnxEngineFactory()"/>.</summary>
    public OnnxEngineFactory(OnnxPrecision? precision, int weightBits = DefaultWeightBits, OnnxDevice device = OnnxDevice.Cpu)
    {
        Device = device;
        ArgumentOutOfRangeException.ThrowIfLessThan(weightBits, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weightBits, 8);
        Precision = precision;
        WeightBits = weightBits;
    }

    /// <summary>Where engines run.</summary>
    public OnnxDevice Device { get; }

    /// <summary>The precision engines run in; null: each model's default (<see cref="PrecisionFor"/>).</summary>
    public OnnxPrecision? Precision { get; }

    /// <summary>Bits of the quantized weights (int8 only; 7 keeps u8×s8 products clear of int16 saturation on CPUs without VNNI).</summary>
    public int WeightBits { get; }

    /// <inheritdoc />
    public string Name => Precision switch
    {
        OnnxPrecision.Int8 => "onnx-int8",
        OnnxPrecision.Fp32 => "onnx-fp32",
        _ => "onnx",
    } + (Device == OnnxDevice.Cuda ? "-cuda" : "");

    /// <summary>The precision an engine for <paramref name="modelDirectory"/> runs at: the chosen one, else the model's <c>lahja.json</c>, else fp32.</summary>
    /// <exception cref="InvalidDataException"><c>lahja.json</c> is malformed.</exception>
    public OnnxPrecision PrecisionFor(string modelDirectory) =>
        Precision ?? (LahjaSettings.Load(modelDirectory)?.Precision == "int8" ? OnnxPrecision.Int8 : OnnxPrecision.Fp32);

    /// <inheritdoc />
    public bool CanLoad(string modelDirectory) =>
        CheckpointFiles.HasWeights(modelDirectory) || File.Exists(Path.Combine(modelDirectory, OnnxDialectEngine.ModelFile));

    /// <inheritdoc />
    public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads) =>
        OnnxDialectEngine.Load(modelDirectory, config, PrecisionFor(modelDirectory), threads, WeightBits, Device);
}
