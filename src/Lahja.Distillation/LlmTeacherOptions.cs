namespace Lahja.Distillation;

/// <summary>Settings of the LLM teacher.</summary>
public sealed class LlmTeacherOptions
{
    /// <summary>The model name sent to the server.</summary>
    public required string Model { get; init; }

    /// <summary>The server's base URL (…/v1); null for OpenAI's.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The API key; local servers that need none get a placeholder.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests in flight at most.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Attempts per row (first try included) before it is recorded as failed.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Time allowed for one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First back-off delay; doubled each retry, with full jitter, capped at <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest back-off (and longest honoured Retry-After).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Client-side limit on requests per minute (null: none).</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Client-side limit on tokens per minute, estimated before sending (null: none).</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Sampling temperature (0: the most likely answer).</summary>
    public float Temperature { get; init; }

    /// <summary>How JSON is requested.</summary>
    public StructuredOutput StructuredOutput { get; init; } = StructuredOutput.Auto;

    /// <summary>Ask again rows whose failure is cached.</summary>
    public bool RetryFailed { get; init; }

    /// <summary>Seed of the back-off jitter.</summary>
    public int Seed { get; init; } = 42;
}
