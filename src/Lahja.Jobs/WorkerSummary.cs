namespace Lahja.Jobs;

/// <summary>What a worker did before it stopped.</summary>
/// <param name="Chunks">Chunks it stored.</param>
/// <param name="Texts">Texts in those chunks.</param>
/// <param name="Duplicates">Chunks it finished that another worker had stored already (delivered twice).</param>
/// <param name="DeadLettered">Chunks it moved to the dead-letter stream.</param>
/// <param name="Failures">Chunk attempts that failed (left for another delivery or dead-lettered).</param>
/// <param name="Stopped">True when it stopped on request (Ctrl-C, SIGTERM) rather than for lack of work.</param>
public sealed record WorkerSummary(long Chunks, long Texts, long Duplicates, long DeadLettered, long Failures, bool Stopped);
