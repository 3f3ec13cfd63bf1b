using Onnx;
using static Lahja.Onnx.OnnxGraphBuilder;

namespace Lahja.Onnx;

/// <summary>
/// Dynamic int8 dense layers: weights quantized once to signed integers per output column (symmetric, zero point 0),
/// activations quantized per pass (DynamicQuantizeLinear: uint8, per tensor), MatMulInteger, then rescaled by
/// activation scale × column scale and the float bias added: the pattern ONNX Runtime fuses into
/// DynamicQuantizeMatMul.
/// </summary>
internal sealed class Int8Linear(OnnxGraphBuilder builder, int weightBits)
{
    private readonly int _limit = (1 << (weightBits - 1)) - 1;

    /// <summary>y = x Wᵀ + b for <paramref name="input"/> [rows, in], <paramref name="weight"/> [out, in] (Hugging Face layout).</summary>
    public string Apply(string input, string prefix, long[] shape, ReadOnlySpan<float> weight, string bias)
    {
        var (quantized, scales) = Quantize(weight, (int)shape[0], (int)shape[1], _limit);
        var q = builder.Weight(prefix + ".weight_int8", [shape[1], shape[0]], quantized);
        var s = builder.Weight(prefix + ".weight_scale", [shape[0]], scales);
        var dq = builder.Node("DynamicQuantizeLinear", [input], 3, null);
        var product = builder.Node("MatMulInteger", [dq[0], q, dq[2]]);
        var asFloat = builder.Node("Cast", [product], Int("to", (long)TensorProto.Types.DataType.Float));
        var scale = builder.Node("Mul", [dq[1], s]);
        return builder.Node("Add", [builder.Node("Mul", [asFloat, scale]), bias]);
    }

    /// <summary>
    /// Quantizes <paramref name="weight"/> ([outputs, inputs], row-major) to [inputs, outputs] integers in
    /// [-<paramref name="limit"/>, <paramref name="limit"/>], one scale per output: max |w| / limit (1 for an all-zero column).
    /// </summary>
    public static (sbyte[] Quantized, float[] Scales) Quantize(ReadOnlySpan<float> weight, int outputs, int inputs, int limit)
    {
        var scales = OnnxGraphBuilder.Allocate<float>(outputs);
        var quantized = OnnxGraphBuilder.Allocate<sbyte>(weight.Length);
        for (var o = 0; o < outputs; o++)
        {
            var row = weight.Slice(o * inputs, inputs);
            var max = 0f;
            foreach (var w in row) max = Math.Max(max, Math.Abs(w));
            var scale = max > 0 ? max / limit : 1f;
            scales[o] = scale;
            for (var i = 0; i < inputs; i++)
                quantized[(long)i * outputs + o] = (sbyte)Math.Clamp(MathF.Round(row[i] / scale), -limit, limit);
        }
        return (quantized, scales);
    }
}
