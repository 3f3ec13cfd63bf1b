namespace Lahja.Batching;

/// <summary>One text of a request, waiting in a <see cref="PassScheduler"/>'s pool.</summary>
internal sealed class PoolText(ScheduledRequest request, int index)
{
    public ScheduledRequest Request { get; } = request;

    /// <summary>The text's position in its request.</summary>
    public int Index { get; } = index;

    /// <summary>Its length in tokens.</summary>
    public int Length { get; } = request.Encodings[index].Count;

    /// <summary>How many passes have run while it waited.</summary>
    public int Deferrals { get; set; }

    /// <summary>Its pass has run and its prediction is handed out.</summary>
    public bool Done { get; set; }
}
