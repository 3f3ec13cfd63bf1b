namespace Lahja.Jobs;

/// <summary>One worker's share of a job.</summary>
/// <param name="Name">The worker's name (host-pid unless named).</param>
/// <param name="Chunks">Chunks it stored.</param>
/// <param name="Texts">Texts in those chunks.</param>
/// <param name="InProgress">Chunks delivered to it and not yet acknowledged.</param>
/// <param name="IdleMilliseconds">Time since it last asked for work, as Redis counts it; null when unknown.</param>
public sealed record WorkerStatus(string Name, long Chunks, long Texts, long InProgress, long? IdleMilliseconds);
