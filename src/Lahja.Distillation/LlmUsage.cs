namespace Lahja.Distillation;

/// <summary>Totals of an LLM labelling run.</summary>
public sealed class LlmUsage
{
    private long requests, retries, cached, failed, inputTokens, outputTokens;

    /// <summary>HTTP requests sent.</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Requests that were retries (after an error, a timeout or an unusable answer).</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Rows answered from the cache (no request).</summary>
    public long Cached => Interlocked.Read(ref cached);

    /// <summary>Rows recorded as failed in this run.</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Prompt tokens reported by the server.</summary>
    public long InputTokens => Interlocked.Read(ref inputTokens);

    /// <summary>Completion tokens reported by the server.</summary>
    public long OutputTokens => Interlocked.Read(ref outputTokens);

    internal void Request() => Interlocked.Increment(ref requests);

    internal void Retry() => Interlocked.Increment(ref retries);

    internal void Hit() => Interlocked.Increment(ref cached);

    internal void Fail() => Interlocked.Increment(ref failed);

    internal void Tokens(long input, long output)
    {
        Interlocked.Add(ref inputTokens, input);
        Interlocked.Add(ref outputTokens, output);
    }
}
