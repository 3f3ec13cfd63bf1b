namespace Lahja.Onnx;

/// <summary>
/// One initializer of a written graph: its name, shape and data in a managed array (float or sbyte) that the
/// session uses in place (<see cref="Microsoft.ML.OnnxRuntime.SessionOptions.AddInitializer"/>) or that an export
/// writes into the file.
/// </summary>
internal sealed record WeightTensor(string Name, long[] Shape, Array Data)
{
    /// <summary>Bytes of data.</summary>
    public long ByteCount => Data switch
    {
        float[] f => f.LongLength * sizeof(float),
        sbyte[] b => b.LongLength,
        _ => throw new InvalidOperationException($"Unsupported initializer element type {Data.GetType()}."),
    };
}
