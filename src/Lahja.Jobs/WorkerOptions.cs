namespace Lahja.Jobs;

/// <summary>How a <see cref="JobWorker"/> works.</summary>
public sealed record WorkerOptions
{
    /// <summary>The worker's name in the consumer group (unique per worker: host and process id by default).</summary>
    public string Name { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The job to work on; null: every job whose model matches.</summary>
    public string? Job { get; init; }

    /// <summary><c>sha256:HEX</c> of the worker's model weights; jobs of another model are refused.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>A chunk delivered to a worker that has not acknowledged it for this long is taken over (its worker is presumed dead).</summary>
    public TimeSpan ClaimIdle { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A chunk delivered this many times without success goes to the dead-letter stream.</summary>
    public int MaxDeliveries { get; init; } = 3;

    /// <summary>How long Redis may stay unreachable before the worker gives up.</summary>
    public TimeSpan ReconnectPatience { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest pause between polls when there is nothing to do (StackExchange.Redis has no blocking reads).</summary>
    public TimeSpan MaxPollPause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Keep polling for new jobs once every job is finished, until stopped.</summary>
    public bool Follow { get; init; }

    /// <summary>Receives one line per event worth a log line (chunk failures, dead letters, reconnections).</summary>
    public Action<string>? Log { get; init; }
}
