using System.Buffers.Binary;

namespace Lahja.Checkpoints;

/// <summary>Sizes of stored element types and their exact widening to float32, for every weights format Lahja reads.</summary>
internal static class TensorElements
{
    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int Size(TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => 4,
        TensorDType.F16 or TensorDType.BF16 => 2,
        _ => 8,
    };

    /// <summary>Widens little-endian <paramref name="bytes"/> of <paramref name="dtype"/> into <paramref name="destination"/> (F16 and BF16 exactly).</summary>
    /// <exception cref="InvalidDataException">Not a floating-point type.</exception>
    public static void ToFloat32(ReadOnlySpan<byte> bytes, TensorDType dtype, Span<float> destination)
    {
        switch (dtype)
        {
            case TensorDType.F32 when BitConverter.IsLittleEndian:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes[..(destination.Length * 4)]).CopyTo(destination);
                break;
            case TensorDType.F32:
                for (var i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                break;
            case TensorDType.F16:
                for (var i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
                break;
            case TensorDType.BF16:
                for (var i = 0; i < destination.Length; i++) destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) << 16);
                break;
            default:
                throw new InvalidDataException($"element type {dtype} is not a floating-point type");
        }
    }
}
