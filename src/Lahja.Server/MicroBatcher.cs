using System.Diagnostics;
using System.Threading.Channels;
using Lahja.Text;

namespace Lahja.Server;

/// <summary>The queue is full: the client should retry later (HTTP 503 with Retry-After).</summary>
public sealed class QueueFullException() : Exception("The request queue is full.");

/// <summary>
/// Merges the texts of concurrent requests into shared forward passes. Requests are encoded on their own threads and
/// queued; the model's loop keeps a pool of up to <see cref="MaxBatchTexts"/> waiting texts, cuts it (length-sorted)
/// into passes with the <see cref="Planner"/>, runs one pass — the cheapest per text, or the one holding a text that has
/// already waited <see cref="MaxDeferrals"/> passes — hands out its results, takes in the requests that came meanwhile,
/// and plans again. A request is answered, in its own order, when its last text is done. The queue is bounded
/// (back-pressure).
/// </summary>
/// <remarks>
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
/// have come back, but never longer than a tenth of the last pass's time (at most 100 ms): one client never waits,
/// and throughput loses at most a tenth when the others do not come.
/// </para>
/// </remarks>
public sealed class MicroBatcher : IAsyncDisposable
{
    /// <summary>How many passes a text may be passed over for cheaper ones before its pass runs next.</summary>
    public const int MaxDeferrals = 4;

    private readonly DialectIdentifier _identifier;
    private readonly TextPreprocessor _preprocessor;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _hurry = new();
    private int _queuedTexts;
    private long _batches;
    private long _texts;
    private long _requests;
    private long _busyTicks;

    /// <summary>Starts the batching loop.</summary>
    /// <param name="identifier">The model.</param>
    /// <param name="maxBatchTexts">Most texts in the pool that passes are chosen from.</param>
    /// <param name="maxWait">Longest time a text waits for company before its pass may run; null: automatic (see the remarks).</param>
    /// <param name="maxQueuedTexts">Most texts waiting before requests are refused.</param>
    /// <param name="preprocessor">
    /// Preprocessing applied when a request is queued; null: the identifier's own preset. The server passes
    /// <see cref="TextPreprocessor.None"/> and preprocesses each request with its own preset, so requests with
    /// different presets can share a pass.
    /// </param>
    /// <param name="planner">How the pool is cut into passes; null: the identifier's fixed batch size.</param>
    public MicroBatcher(DialectIdentifier identifier, int maxBatchTexts, TimeSpan? maxWait, int maxQueuedTexts, TextPreprocessor? preprocessor = null, BatchPlanner? planner = null)
    {
        _identifier = identifier;
        _preprocessor = preprocessor ?? TextPreprocessor.FromPreset(identifier.Options.Preprocessing);
        Planner = planner ?? BatchPlanner.Fixed(identifier.Options.BatchSize);
        MaxBatchTexts = maxBatchTexts;
        MaxWait = maxWait;
        MaxQueuedTexts = maxQueuedTexts;
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        _loop = Task.Run(Loop);
    }

    /// <summary>Most texts in the pool that passes are chosen from (a larger request still enters whole).</summary>
    public int MaxBatchTexts { get; }

    /// <summary>Longest time a text waits for company before its pass may run; null: automatic (see the remarks).</summary>
    public TimeSpan? MaxWait { get; }

    /// <summary>How the pool is cut into passes.</summary>
    public BatchPlanner Planner { get; }

    /// <summary>Most texts waiting before requests are refused.</summary>
    public int MaxQueuedTexts { get; }

    /// <summary>Texts waiting or in a pass now.</summary>
    public int QueuedTexts => Volatile.Read(ref _queuedTexts);

    /// <summary>Forward passes run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Texts predicted so far.</summary>
    public long Texts => Interlocked.Read(ref _texts);

    /// <summary>Time the model has spent on passes so far (its share of the wall time shows how busy it is).</summary>
    public TimeSpan ModelBusy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    /// <summary>Requests answered so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Predicts <paramref name="texts"/> within shared passes.</summary>
    /// <exception cref="QueueFullException">Too many texts are waiting.</exception>
    public Task<IReadOnlyList<DialectPrediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return Task.FromResult<IReadOnlyList<DialectPrediction>>([]);
        if (Interlocked.Add(ref _queuedTexts, texts.Count) > MaxQueuedTexts && texts.Count < Volatile.Read(ref _queuedTexts))
        {
            Interlocked.Add(ref _queuedTexts, -texts.Count);
            throw new QueueFullException();
        }
        Pending pending;
        try
        {
            // Encoding here, on the request's thread, leaves the model's thread only the passes.
            pending = new Pending(texts, [.. texts.Select(t => _identifier.Encode(t, _preprocessor))], cancellationToken);
        }
        catch
        {
            Interlocked.Add(ref _queuedTexts, -texts.Count);
            throw;
        }
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _queuedTexts, -texts.Count);
            throw new QueueFullException();
        }
        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task Loop()
    {
        var reader = _queue.Reader;
        var pool = new List<WaitingText>();
        var lastPassRequests = 0;
        var lastPassTime = TimeSpan.Zero;
        var closed = false;
        try
        {
            while (true)
            {
                if (pool.Count == 0)
                {
                    if (closed || !await reader.WaitToReadAsync(_stop.Token)) break;
                }
                // Take in what is waiting, then wait: with a set MaxWait until the oldest text has waited that long
                // (once: not again after a pass), else for the clients the last pass answered (see the remarks).
                var arrived = 0;
                var autoDeadline = Stopwatch.GetTimestamp() + lastPassTime.Ticks / 10 * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
                autoDeadline = Math.Min(autoDeadline, Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10);
                while (pool.Count < MaxBatchTexts)
                {
                    if (reader.TryRead(out var next))
                    {
                        for (var i = 0; i < next.Texts.Count; i++) pool.Add(new WaitingText(next, i));
                        arrived++;
                        continue;
                    }
                    if (closed || _hurry.IsCancellationRequested) break;
                    TimeSpan left;
                    if (MaxWait is { } maxWait)
                    {
                        // Texts left over from the last pass's choice have had their wait: the pool runs on.
                        if (pool.Any(t => t.Deferrals > 0)) break;
                        left = maxWait - Stopwatch.GetElapsedTime(pool.Min(t => t.Request.Queued));
                    }
                    else if (arrived >= lastPassRequests)
                        break;
                    else
                        left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), autoDeadline);
                    if (left <= TimeSpan.Zero) break;
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _hurry.Token);
                    waiting.CancelAfter(left);
                    try
                    {
                        if (!await reader.WaitToReadAsync(waiting.Token)) closed = true;
                    }
                    catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                    {
                        break;
                    }
                }
                // A request that gave up (timeout, client gone) is not worth a forward pass.
                pool.RemoveAll(t => t.Request.IsFinished || t.Request.GiveUpIfCancelled(this));
                if (pool.Count == 0) continue;
                var pass = ChoosePass(pool);
                var started = Stopwatch.GetTimestamp();
                lastPassRequests = Run(pass);
                lastPassTime = Stopwatch.GetElapsedTime(started);
                Interlocked.Add(ref _busyTicks, lastPassTime.Ticks);
                foreach (var text in pool) text.Deferrals++;
                pool.RemoveAll(t => t.Done || t.Request.IsFinished);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        foreach (var text in pool) text.Request.Cancel(this);
        while (reader.TryRead(out var left)) left.Cancel(this);
    }

    /// <summary>
    /// Sorts the pool by length, cuts it with the planner, and picks a pass: if a text has been passed over
    /// <see cref="MaxDeferrals"/> times, the pass of the most passed-over text (of those, the dearest per text, which
    /// cost alone would keep putting off); else the cheapest per text.
    /// </summary>
    private List<WaitingText> ChoosePass(List<WaitingText> pool)
    {
        pool.Sort((a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : b.Deferrals.CompareTo(a.Deferrals));
        var sizes = Planner.Plan(pool.Select(t => t.Length).ToArray());
        var candidates = new List<(int Start, int Size, int Deferrals, double PerText)>(sizes.Length);
        var start = 0;
        foreach (var size in sizes)
        {
            var group = pool.GetRange(start, size);
            candidates.Add((start, size, group.Max(t => t.Deferrals), Planner.EstimatedCost(size, group[^1].Length) / size));
            start += size;
        }
        var chosen = candidates.Max(c => c.Deferrals) >= MaxDeferrals
            ? candidates.OrderByDescending(c => c.Deferrals).ThenByDescending(c => c.PerText).First()
            : candidates.MinBy(c => c.PerText);
        return pool.GetRange(chosen.Start, chosen.Size);
    }

    /// <summary>Runs one pass and completes the requests whose last text it held; returns how many.</summary>
    private int Run(List<WaitingText> pass)
    {
        var completed = 0;
        try
        {
            var predictions = _identifier.PredictPass(pass.Select(t => t.Request.Texts[t.Index]).ToArray(), pass.Select(t => t.Request.Encodings[t.Index]).ToArray());
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _texts, pass.Count);
            for (var i = 0; i < pass.Count; i++)
            {
                pass[i].Done = true;
                if (pass[i].Request.Complete(pass[i].Index, predictions[i], this)) completed++;
            }
        }
        catch (Exception e)
        {
            foreach (var text in pass) text.Request.Fail(e, this);
        }
        return completed;
    }

    /// <summary>
    /// From now on a pass runs as soon as it has what is waiting, without waiting for more: called when the server
    /// starts stopping, so the requests in flight finish at once.
    /// </summary>
    public void StopWaiting() => _hurry.Cancel();

    /// <summary>Stops taking requests, answers those already queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _stop.Dispose();
        _hurry.Dispose();
    }

    private void Finished(Pending request, bool answered)
    {
        Interlocked.Add(ref _queuedTexts, -request.Texts.Count);
        if (answered) Interlocked.Increment(ref _requests);
    }

    /// <summary>One request: its texts, their encodings and the results gathered so far.</summary>
    private sealed class Pending(IReadOnlyList<string> texts, TokenizedText[] encodings, CancellationToken cancellation)
    {
        private readonly DialectPrediction[] _results = new DialectPrediction[texts.Count];
        private int _left = texts.Count;
        private int _finished;

        public IReadOnlyList<string> Texts { get; } = texts;
        public TokenizedText[] Encodings { get; } = encodings;
        public long Queued { get; } = Stopwatch.GetTimestamp();
        public TaskCompletionSource<IReadOnlyList<DialectPrediction>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool IsFinished => Volatile.Read(ref _finished) != 0;

        /// <summary>Records one text's result; true when that was the request's last.</summary>
        public bool Complete(int index, DialectPrediction prediction, MicroBatcher owner)
        {
            _results[index] = prediction;
            if (--_left > 0 || !Finish(owner, answered: true)) return false;
            Result.TrySetResult(_results);
            return true;
        }

        public void Fail(Exception error, MicroBatcher owner)
        {
            if (Finish(owner, answered: false)) Result.TrySetException(error);
        }

        public void Cancel(MicroBatcher owner)
        {
            if (Finish(owner, answered: false)) Result.TrySetCanceled();
        }

        /// <summary>Finishes the request if its caller gave up; true then.</summary>
        public bool GiveUpIfCancelled(MicroBatcher owner)
        {
            if (!cancellation.IsCancellationRequested) return false;
            if (Finish(owner, answered: false)) Result.TrySetCanceled(cancellation);
            return true;
        }

        private bool Finish(MicroBatcher owner, bool answered)
        {
            if (Interlocked.Exchange(ref _finished, 1) != 0) return false;
            owner.Finished(this, answered);
            return true;
        }
    }

    /// <summary>One text of a request, waiting in the pool.</summary>
    private sealed class WaitingText(Pending request, int index)
    {
        public Pending Request { get; } = request;
        public int Index { get; } = index;
        public int Length { get; } = request.Encodings[index].Count;
        public int Deferrals { get; set; }
        public bool Done { get; set; }
    }
}
