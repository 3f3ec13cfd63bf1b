namespace Lahja.Text;

/// <summary>
/// An immutable set of Unicode code points built from sorted inclusive ranges: a bitmap answers for the BMP,
/// binary search over the ranges for the rest.
/// </summary>
internal sealed class CodePointSet
{
    private readonly ulong[] _bmp = new ulong[0x10000 / 64];
    private readonly int[] _ranges;

    public CodePointSet(ReadOnlySpan<int> ranges)
    {
        _ranges = ranges.ToArray();
        for (var i = 0; i < ranges.Length; i += 2)
            for (var cp = ranges[i]; cp <= Math.Min(ranges[i + 1], 0xFFFF); cp++)
                _bmp[cp >> 6] |= 1UL << cp;
    }

    public bool Contains(int codePoint)
    {
        if ((uint)codePoint < 0x10000) return (_bmp[codePoint >> 6] & (1UL << codePoint)) != 0;
        int lo = 0, hi = _ranges.Length / 2 - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (codePoint < _ranges[2 * mid]) hi = mid - 1;
            else if (codePoint > _ranges[2 * mid + 1]) lo = mid + 1;
            else return true;
        }
        return false;
    }
}
