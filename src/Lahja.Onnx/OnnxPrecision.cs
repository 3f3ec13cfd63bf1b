namespace Lahja.Onnx;

/// <summary>How the encoder's matrix multiplications run.</summary>
public enum OnnxPrecision
{
    /// <summary>float32 throughout: the checkpoint's function, up to float rounding.</summary>
    Fp32,

    /// <summary>
    /// Dynamic int8: the encoder's dense weights quantized to int8 per output column (symmetric), activations quantized
    /// at run time (DynamicQuantizeLinear → MatMulInteger); embeddings, LayerNorm, pooler and classifier stay float32.
    /// </summary>
    Int8,
}
