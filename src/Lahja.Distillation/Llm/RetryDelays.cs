using System.ClientModel.Primitives;
using System.Globalization;

namespace Lahja.Distillation.Llm;

/// <summary>
/// How long the LLM teacher waits before trying a row again: exponential back-off with full jitter (seeded), or the
/// server's Retry-After, both capped at the longest back-off.
/// </summary>
internal sealed class RetryDelays(TimeSpan initial, TimeSpan max, int seed)
{
    private readonly Random jitter = new(seed);
    private readonly Lock jitterGate = new();

    /// <summary>Exponential back-off with full jitter: uniform in [0, min(max, initial × 2^(attempt−1))].</summary>
    public TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, attempt - 1));
        lock (jitterGate) return TimeSpan.FromMilliseconds(jitter.NextDouble() * ceiling);
    }

    /// <summary>The server's Retry-After (seconds or an HTTP date; also retry-after-ms), capped at the longest back-off.</summary>
    public TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null) return null;
        TimeSpan? value = null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, CultureInfo.InvariantCulture, out var milliseconds))
            value = TimeSpan.FromMilliseconds(milliseconds);
        else if (response.Headers.TryGetValue("Retry-After", out var header) && header is not null)
        {
            if (double.TryParse(header, CultureInfo.InvariantCulture, out var seconds)) value = TimeSpan.FromSeconds(seconds);
            else if (DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)) value = date - DateTimeOffset.UtcNow;
        }
        if (value is not { } v) return null;
        return v < TimeSpan.Zero ? TimeSpan.Zero : v > max ? max : v;
    }
}
