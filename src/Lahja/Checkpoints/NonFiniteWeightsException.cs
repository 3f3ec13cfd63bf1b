using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Lahja.Checkpoints;

/// <summary>A checkpoint tensor holds a NaN or an infinity, so the model would answer NaN for every text.</summary>
public sealed class NonFiniteWeightsException(string message) : IOException(message)
{
    /// <summary>Throws when <paramref name="values"/>, just read from <paramref name="file"/>, hold a NaN or an infinity.</summary>
    /// <exception cref="NonFiniteWeightsException">The message names the file, the tensor and the first bad element.</exception>
    public static void ThrowIfAny(ReadOnlySpan<float> values, string file, string tensor)
    {
        var index = IndexOfNonFinite(values);
        if (index < 0) return;
        throw new NonFiniteWeightsException(
            $"{file}: tensor \"{tensor}\" holds {values[index].ToString(CultureInfo.InvariantCulture)} at element {index} of {values.Length}; " +
            "a checkpoint's weights must be finite numbers (the file is corrupt or training diverged).");
    }

    /// <summary>The index of the first NaN or infinity, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        // x - x is 0 for every finite x and NaN otherwise: one vector compare per block keeps this far cheaper than the read.
        var start = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var blocks = MemoryMarshal.Cast<float, Vector<float>>(values);
            var block = 0;
            while (block < blocks.Length && Vector.EqualsAll(blocks[block] - blocks[block], Vector<float>.Zero)) block++;
            start = block * Vector<float>.Count;
        }
        for (var i = start; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
