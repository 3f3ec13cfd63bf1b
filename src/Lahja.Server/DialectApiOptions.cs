namespace Lahja.Server;

/// <summary>
/// Limits and batching of the dialect identification API that
/// <see cref="Microsoft.AspNetCore.Builder.DialectIdentificationEndpointRouteBuilderExtensions.MapDialectIdentification"/> maps:
/// set them with <c>services.Configure&lt;DialectApiOptions&gt;(…)</c> or bind them from configuration; unset, they are
/// <c>lahja serve</c>'s defaults.
/// </summary>
public sealed class DialectApiOptions
{
    /// <summary>
    /// The System.Diagnostics.Metrics meter the API records on (requests, latency, passes, texts): enable it in the
    /// app's metrics pipeline, e.g. OpenTelemetry's <c>.AddMeter(DialectApiOptions.MeterName)</c>.
    /// </summary>
    public const string MeterName = "Lahja.Server";

    /// <summary>Most texts in one request (more: 413).</summary>
    public int MaxTextsPerRequest { get; set; } = 256;

    /// <summary>Most characters in one text (more: 413).</summary>
    public int MaxCharactersPerText { get; set; } = 5000;

    /// <summary>Largest request body in bytes (more: 413), whatever the server's own limit.</summary>
    public long MaxBodyBytes { get; set; } = 2_000_000;

    /// <summary>Most texts of concurrent requests in the pool that forward passes are chosen from.</summary>
    public int MaxPoolTexts { get; set; } = 64;

    /// <summary>Longest wait, in milliseconds, for more requests to join a pass; null: automatic (see <see cref="Lahja.Batching.PassScheduler"/>).</summary>
    public int? MaxWaitMilliseconds { get; set; }

    /// <summary>How the pool is cut into passes; null: by cost, with the pass overhead measured when the model loads.</summary>
    public BatchPlanner? Planner { get; set; }

    /// <summary>Most texts waiting before requests get 503 with Retry-After.</summary>
    public int MaxQueuedTexts { get; set; } = 4096;

    /// <summary>How long one request may take, body reading included, before it is answered 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    internal void Validate()
    {
        static void AtLeast(long value, long minimum, string name)
        {
            if (value < minimum) throw new ArgumentOutOfRangeException(name, value, $"{nameof(DialectApiOptions)}.{name} must be at least {minimum}.");
        }
        AtLeast(MaxTextsPerRequest, 1, nameof(MaxTextsPerRequest));
        AtLeast(MaxCharactersPerText, 1, nameof(MaxCharactersPerText));
        AtLeast(MaxBodyBytes, 1, nameof(MaxBodyBytes));
        AtLeast(MaxPoolTexts, 1, nameof(MaxPoolTexts));
        AtLeast(MaxWaitMilliseconds ?? 0, 0, nameof(MaxWaitMilliseconds));
        AtLeast(MaxQueuedTexts, 1, nameof(MaxQueuedTexts));
        if (RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, $"{nameof(DialectApiOptions)}.{nameof(RequestTimeout)} must be positive.");
    }
}
