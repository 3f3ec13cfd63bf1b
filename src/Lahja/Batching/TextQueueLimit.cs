namespace Lahja.Batching;

/// <summary>
/// Back-pressure for a queue of texts: a request is admitted while the texts waiting stay within
/// <see cref="MaxTexts"/>, and always when nothing else waits (so a request larger than the limit can still run).
/// Thread-safe: requests enter on their own threads and leave on the scheduler's.
/// </summary>
public sealed class TextQueueLimit
{
    private int _queued;

    /// <summary>A limit of <paramref name="maxTexts"/> texts waiting.</summary>
    public TextQueueLimit(int maxTexts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTexts);
        MaxTexts = maxTexts;
    }

    /// <summary>Most texts waiting before requests are refused.</summary>
    public int MaxTexts { get; }

    /// <summary>Texts admitted and not yet left.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Admits <paramref name="texts"/> texts, or refuses them (false) when others wait and the limit would be passed.</summary>
    public bool TryEnter(int texts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(texts);
        if (Interlocked.Add(ref _queued, texts) > MaxTexts && texts < Volatile.Read(ref _queued))
        {
            Interlocked.Add(ref _queued, -texts);
            return false;
        }
        return true;
    }

    /// <summary>Releases <paramref name="texts"/> admitted texts (their request ended).</summary>
    public void Leave(int texts) => Interlocked.Add(ref _queued, -texts);
}
