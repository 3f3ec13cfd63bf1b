namespace Lahja.Batching;

/// <summary>
/// Chooses the forward passes of texts that concurrent requests bring: the queue-and-batching layer that Hugging Face
/// Text Embeddings Inference keeps apart from its router. Requests' texts wait in a pool of up to
/// <see cref="MaxPoolTexts"/>; <see cref="TakePass"/> sorts the pool by length, cuts it into passes with the
/// <see cref="Planner"/> and picks one — the cheapest per text, or the one holding a text already passed over
/// <see cref="MaxDeferrals"/> times — and <see cref="Complete"/> hands its predictions out; a request is answered, in
/// its own order, when its last text is done. <see cref="WaitLeft"/> says how long to wait for more requests before
/// a pass.
/// </summary>
/// <remarks>
/// <para>
/// Pure: no threads, no clock, no I/O; one caller (a loop) drives it and passes the time in, so it is tested
/// deterministically. The HTTP service's <c>MicroBatcher</c> is such a loop over a channel.
/// </para>
/// <para>
/// Why one pass at a time from a pool: a pass is padded to its longest text, so a pass of similar lengths wastes least.
/// A batch planned once from what arrived together must run its odd long texts in small, costly passes; the pool
/// lets them wait a little for company (at most <see cref="MaxDeferrals"/> passes) while short texts go, and the
/// clients answered first send their next requests sooner. bench/server_bench.sh measures the effect.
/// </para>
/// <para>
/// The automatic wait (<see cref="MaxWait"/> null) is for clients that send their next request when the last one is
/// answered: the clients of a pass come back together, a few milliseconds apart, and a pass that left at the first
/// arrival would hold one text. So before a pass the loop waits until as many requests as the last pass answered
/// have come back, but never longer than a tenth of the last pass's time (at most <see cref="MaxAutomaticWait"/>):
/// one client never waits, and throughput loses at most a tenth when the others do not come.
/// </para>
/// </remarks>
public sealed class PassScheduler
{
    /// <summary>How many passes a text may be passed over for cheaper ones before its pass runs next.</summary>
    public const int MaxDeferrals = 4;

    /// <summary>The longest automatic wait before a pass.</summary>
    public static readonly TimeSpan MaxAutomaticWait = TimeSpan.FromMilliseconds(100);

    private readonly List<PoolText> _pool = [];
    private int _arrived;
    private TimeSpan _automaticDeadline;
    private int _lastPassAnswered;
    private TimeSpan _lastPassTime;

    /// <summary>A scheduler with an empty pool.</summary>
    /// <param name="planner">How the pool is cut into passes (and their most texts).</param>
    /// <param name="maxPoolTexts">Most texts in the pool that passes are chosen from (a larger request still enters whole).</param>
    /// <param name="maxWait">Longest time a text waits for company before its pass may run; null: automatic (see the remarks).</param>
    public PassScheduler(BatchPlanner planner, int maxPoolTexts, TimeSpan? maxWait)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoolTexts, 1);
        if (maxWait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxWait), maxWait, "The wait must be zero or more.");
        Planner = planner;
        MaxPoolTexts = maxPoolTexts;
        MaxWait = maxWait;
    }

    /// <summary>How the pool is cut into passes.</summary>
    public BatchPlanner Planner { get; }

    /// <summary>Most texts in the pool that passes are chosen from.</summary>
    public int MaxPoolTexts { get; }

    /// <summary>Longest time a text waits for company before its pass may run; null: automatic.</summary>
    public TimeSpan? MaxWait { get; }

    /// <summary>Texts in the pool.</summary>
    public int PoolTexts => _pool.Count;

    /// <summary>Whether the pool holds <see cref="MaxPoolTexts"/> texts or more: take no more requests before a pass.</summary>
    public bool IsPoolFull => _pool.Count >= MaxPoolTexts;

    /// <summary>Starts gathering requests for the next pass at <paramref name="now"/>: the automatic wait counts from here.</summary>
    public void BeginGathering(TimeSpan now)
    {
        _arrived = 0;
        _automaticDeadline = now + TimeSpan.FromTicks(Math.Min(_lastPassTime.Ticks / 10, MaxAutomaticWait.Ticks));
    }

    /// <summary>Puts every text of <paramref name="request"/> in the pool.</summary>
    public void Add(ScheduledRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var i = 0; i < request.Texts.Count; i++) _pool.Add(new PoolText(request, i));
        _arrived++;
    }

    /// <summary>
    /// How much longer to wait for another request before the next pass, at <paramref name="now"/>; zero or less: run
    /// it now. With a set <see cref="MaxWait"/>, until the oldest text has waited that long (once: texts left over from
    /// a pass have had their wait); automatic, until as many requests have come as the last pass answered, at most a
    /// tenth of its time.
    /// </summary>
    public TimeSpan WaitLeft(TimeSpan now)
    {
        if (_pool.Count == 0 || IsPoolFull) return TimeSpan.Zero;
        if (MaxWait is { } maxWait)
        {
            if (_pool.Exists(t => t.Deferrals > 0)) return TimeSpan.Zero;
            return maxWait - (now - _pool.Min(t => t.Request.Arrived));
        }
        return _arrived >= _lastPassAnswered ? TimeSpan.Zero : _automaticDeadline - now;
    }

    /// <summary>
    /// The next pass, after dropping the requests that ended or whose callers gave up (not worth a forward pass);
    /// null when nothing is left to run. Hand its outcome to <see cref="Complete"/> or <see cref="Fail"/>.
    /// </summary>
    public ScheduledPass? TakePass()
    {
        _pool.RemoveAll(t => t.Request.IsFinished || t.Request.GiveUpIfCancelled());
        return _pool.Count == 0 ? null : new ScheduledPass(ChoosePass());
    }

    /// <summary>
    /// Hands out the predictions of <paramref name="pass"/> (in its order), which took <paramref name="elapsed"/>;
    /// returns how many requests it answered.
    /// </summary>
    public int Complete(ScheduledPass pass, IReadOnlyList<DialectPrediction> predictions, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Count != pass.Count) throw new ArgumentException($"{predictions.Count} predictions for a pass of {pass.Count} texts.", nameof(predictions));
        var answered = 0;
        for (var i = 0; i < pass.Count; i++)
        {
            var text = pass.Items[i];
            text.Done = true;
            if (text.Request.Complete(text.Index, predictions[i])) answered++;
        }
        PassEnded(answered, elapsed);
        return answered;
    }

    /// <summary>Fails every request with a text in <paramref name="pass"/>, which threw <paramref name="error"/> after <paramref name="elapsed"/>.</summary>
    public void Fail(ScheduledPass pass, Exception error, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentNullException.ThrowIfNull(error);
        foreach (var text in pass.Items) text.Request.Fail(error);
        PassEnded(0, elapsed);
    }

    /// <summary>Cancels every request in the pool and empties it (the loop stops).</summary>
    public void CancelAll()
    {
        foreach (var text in _pool) text.Request.Cancel();
        _pool.Clear();
    }

    private void PassEnded(int answered, TimeSpan elapsed)
    {
        _lastPassAnswered = answered;
        _lastPassTime = elapsed;
        foreach (var text in _pool) text.Deferrals++;
        _pool.RemoveAll(t => t.Done || t.Request.IsFinished);
    }

    /// <summary>
    /// Sorts the pool by length, cuts it with the planner, and picks a pass: if a text has been passed over
    /// <see cref="MaxDeferrals"/> times, the pass of the most passed-over text (of those, the dearest per text, which
    /// cost alone would keep putting off); else the cheapest per text.
    /// </summary>
    private List<PoolText> ChoosePass()
    {
        _pool.Sort((a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : b.Deferrals.CompareTo(a.Deferrals));
        var sizes = Planner.Plan(_pool.Select(t => t.Length).ToArray());
        var candidates = new List<(int Start, int Size, int Deferrals, double PerText)>(sizes.Length);
        var start = 0;
        foreach (var size in sizes)
        {
            var group = _pool.GetRange(start, size);
            candidates.Add((start, size, group.Max(t => t.Deferrals), Planner.EstimatedCost(size, group[^1].Length) / size));
            start += size;
        }
        var chosen = candidates.Max(c => c.Deferrals) >= MaxDeferrals
            ? candidates.OrderByDescending(c => c.Deferrals).ThenByDescending(c => c.PerText).First()
            : candidates.MinBy(c => c.PerText);
        return _pool.GetRange(chosen.Start, chosen.Size);
    }
}
