namespace Lahja.Jobs;

/// <summary>Where a job stands, read in one go from Redis.</summary>
/// <param name="Spec">The job.</param>
/// <param name="Submitted">True once every chunk was enqueued; false while the submitter runs (or if it stopped).</param>
/// <param name="TotalChunks">Chunks of the job (so far, while not <paramref name="Submitted"/>).</param>
/// <param name="TotalTexts">Texts of the job (so far, while not <paramref name="Submitted"/>).</param>
/// <param name="Done">Chunks whose results are stored.</param>
/// <param name="DoneTexts">Texts in those chunks.</param>
/// <param name="InProgress">Chunks delivered to a worker and not yet acknowledged.</param>
/// <param name="Dead">Chunks (or results) moved to the dead-letter stream.</param>
/// <param name="StartedMilliseconds">When the first chunk was delivered (Redis clock, Unix ms), or null.</param>
/// <param name="LastDoneMilliseconds">When the last chunk was stored, or null.</param>
/// <param name="NowMilliseconds">The Redis clock when this status was read.</param>
/// <param name="Workers">Each worker's share.</param>
public sealed record JobStatus(
    JobSpec Spec, bool Submitted, long TotalChunks, long TotalTexts, long Done, long DoneTexts, long InProgress, long Dead,
    long? StartedMilliseconds, long? LastDoneMilliseconds, long NowMilliseconds, IReadOnlyList<WorkerStatus> Workers)
{
    /// <summary>Chunks not yet delivered to any worker.</summary>
    public long Queued => Math.Max(0, TotalChunks - Done - Dead - InProgress);

    /// <summary>Every chunk is stored or dead: no worker has anything left to do.</summary>
    public bool IsFinished => Submitted && Done + Dead >= TotalChunks;

    /// <summary>Every chunk is stored: the job can be collected whole.</summary>
    public bool IsComplete => Submitted && Done >= TotalChunks;

    /// <summary>Texts per second since the first delivery (until the last result once finished), or null before any result.</summary>
    public double? TextsPerSecond
    {
        get
        {
            if (StartedMilliseconds is not { } start || DoneTexts == 0) return null;
            var end = IsFinished && LastDoneMilliseconds is { } last ? last : NowMilliseconds;
            return DoneTexts / Math.Max((end - start) / 1000.0, 1e-3);
        }
    }

    /// <summary>Estimated time left at <see cref="TextsPerSecond"/>, or null when unknown.</summary>
    public TimeSpan? TimeLeft
    {
        get
        {
            if (IsFinished) return TimeSpan.Zero;
            if (TextsPerSecond is not { } rate || !Submitted) return null;
            var left = Math.Max(0, TotalTexts - DoneTexts);
            return TimeSpan.FromSeconds(left / rate);
        }
    }
}
