using System.CommandLine;
using System.Globalization;

namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// <c>--shard I/N</c>: the I-th (0-based, as Kubernetes' JOB_COMPLETION_INDEX counts) of N contiguous parts of an
/// input, so that the N outputs concatenated in shard order are the unsharded output byte for byte.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    /// <summary>The option, validated at parse time (a bad value is a usage error, exit code 2).</summary>
    public static Option<string?> CreateOption(string what)
    {
        var option = new Option<string?>("--shard") { Description = $"Process only part I of N (0 ≤ I < N) of the input: contiguous {what}, so the N outputs concatenated in order equal the unsharded output. For Kubernetes Indexed Jobs, Slurm arrays, GNU parallel." };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !TryParse(text, out _, out var error))
                result.AddError($"--shard '{text}': {error}");
        });
        return option;
    }

    /// <summary>The shard an option's value names, or null without one (the value was validated when parsed).</summary>
    public static Shard? From(string? text) => text is null ? null : TryParse(text, out var shard, out var error) ? shard : throw new UsageException($"--shard '{text}': {error}");

    private static bool TryParse(string text, out Shard shard, out string error)
    {
        shard = default;
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = "expected I/N, two whole numbers such as 0/4.";
            return false;
        }
        if (count < 1)
        {
            error = "N must be at least 1.";
            return false;
        }
        if (index >= count)
        {
            error = $"I must be between 0 and {count - 1} (shards are numbered from 0).";
            return false;
        }
        shard = new Shard(index, count);
        error = "";
        return true;
    }

    /// <summary>
    /// This shard's items [Start, End) of <paramref name="total"/>. Boundaries fall on multiples of
    /// <paramref name="block"/> so that an item meets the same neighbours in a block (a batch window) as in an
    /// unsharded run: batching changes float rounding, and shards must not.
    /// </summary>
    public (long Start, long End) Range(long total, int block = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        var blocks = (total + block - 1) / block;
        var count = Count;
        long Boundary(int i) => Math.Min(total, blocks * i / count * block);
        return (Boundary(Index), Boundary(Index + 1));
    }
}
