using System.Diagnostics;
using System.Threading.Channels;
using Lahja.Batching;
using Lahja.Text;

namespace Lahja.Server;

/// <summary>
/// The service's loop around a <see cref="PassScheduler"/>, which decides what runs: requests are encoded on their
/// own threads, admitted within a <see cref="TextQueueLimit"/> (back-pressure) and sent over a channel; one loop takes
/// them in, waits for company as the scheduler says, runs the pass it chooses on the model, and hands the results
/// back. Requests that name different preprocessing presets share passes.
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    /// <summary>How many passes a text may be passed over for cheaper ones before its pass runs next.</summary>
    public const int MaxDeferrals = PassScheduler.MaxDeferrals;

    private readonly IPassModel _model;
    private readonly TextPreprocessor _preprocessor;
    private readonly PassScheduler _scheduler;
    private readonly TextQueueLimit _limit;
    private readonly Channel<ScheduledRequest> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _hurry = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _passes;
    private long _texts;
    private long _requests;
    private long _busyTicks;

    /// <summary>Starts the loop over <paramref name="identifier"/>, with its preset and, unless <paramref name="planner"/> is given, its fixed batch size.</summary>
    /// <param name="identifier">The model.</param>
    /// <param name="maxPoolTexts">Most texts in the pool that passes are chosen from.</param>
    /// <param name="maxWait">Longest time a text waits for company before its pass may run; null: automatic (see <see cref="PassScheduler"/>).</param>
    /// <param name="maxQueuedTexts">Most texts waiting before requests are refused.</param>
    /// <param name="planner">How the pool is cut into passes; null: every <see cref="DialectIdentifierOptions.BatchSize"/> texts, within <see cref="DialectIdentifierOptions.MaxBatchTokens"/>.</param>
    public MicroBatcher(DialectIdentifier identifier, int maxPoolTexts, TimeSpan? maxWait, int maxQueuedTexts, BatchPlanner? planner = null)
        : this(identifier, Preset(identifier), planner ?? BatchPlanner.Fixed(identifier.Options), maxPoolTexts, maxWait, maxQueuedTexts)
    {
    }

    /// <summary>Starts the loop over <paramref name="model"/>.</summary>
    /// <param name="model">Encodes texts and runs passes.</param>
    /// <param name="preprocessor">The preprocessing of requests that name none.</param>
    /// <param name="planner">How the pool is cut into passes.</param>
    /// <param name="maxPoolTexts">Most texts in the pool that passes are chosen from.</param>
    /// <param name="maxWait">Longest time a text waits for company before its pass may run; null: automatic.</param>
    /// <param name="maxQueuedTexts">Most texts waiting before requests are refused.</param>
    public MicroBatcher(IPassModel model, TextPreprocessor preprocessor, BatchPlanner planner, int maxPoolTexts, TimeSpan? maxWait, int maxQueuedTexts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(preprocessor);
        _model = model;
        _preprocessor = preprocessor;
        _scheduler = new PassScheduler(planner, maxPoolTexts, maxWait);
        _limit = new TextQueueLimit(maxQueuedTexts);
        _queue = Channel.CreateUnbounded<ScheduledRequest>(new UnboundedChannelOptions { SingleReader = true });
        _loop = Task.Run(Loop);
    }

    /// <summary>Most texts in the pool that passes are chosen from (a larger request still enters whole).</summary>
    public int MaxPoolTexts => _scheduler.MaxPoolTexts;

    /// <summary>Longest time a text waits for company before its pass may run; null: automatic.</summary>
    public TimeSpan? MaxWait => _scheduler.MaxWait;

    /// <summary>How the pool is cut into passes.</summary>
    public BatchPlanner Planner => _scheduler.Planner;

    /// <summary>Most texts waiting before requests are refused.</summary>
    public int MaxQueuedTexts => _limit.MaxTexts;

    /// <summary>Texts waiting or in a pass now.</summary>
    public int QueuedTexts => _limit.Queued;

    /// <summary>Forward passes run so far.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Texts predicted so far.</summary>
    public long Texts => Interlocked.Read(ref _texts);

    /// <summary>Time the model has spent on passes so far (its share of the wall time shows how busy it is).</summary>
    public TimeSpan ModelBusy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    /// <summary>Requests answered so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Time since the batcher started: the clock its scheduler is given.</summary>
    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    /// <summary>Predicts <paramref name="texts"/> within shared passes, preprocessed with the default preset.</summary>
    /// <exception cref="QueueFullException">Too many texts are waiting.</exception>
    public Task<IReadOnlyList<DialectPrediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        PredictAsync(texts, _preprocessor, cancellationToken);

    /// <summary>
    /// Predicts <paramref name="texts"/> within shared passes, preprocessed with <paramref name="preprocessor"/>; each
    /// prediction carries its text as given here (<see cref="DialectPrediction.Text"/>).
    /// </summary>
    /// <exception cref="QueueFullException">Too many texts are waiting.</exception>
    public Task<IReadOnlyList<DialectPrediction>> PredictAsync(IReadOnlyList<string> texts, TextPreprocessor preprocessor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(preprocessor);
        if (texts.Count == 0) return Task.FromResult<IReadOnlyList<DialectPrediction>>([]);
        if (!_limit.TryEnter(texts.Count)) throw new QueueFullException();
        ScheduledRequest request;
        try
        {
            // Preprocessing and encoding here, on the request's thread, leave the model's thread only the passes.
            string[] given = [.. texts];
            request = new ScheduledRequest(given, [.. given.Select(t => _model.Encode(t, preprocessor))], Uptime, Ended, cancellationToken);
        }
        catch
        {
            _limit.Leave(texts.Count);
            throw;
        }
        if (!_queue.Writer.TryWrite(request))
        {
            _limit.Leave(texts.Count);
            throw new QueueFullException();
        }
        return request.Result.WaitAsync(cancellationToken);
    }

    /// <summary>Takes requests in, waits as the scheduler says, and runs its passes until the channel is closed and the pool empty.</summary>
    private async Task Loop()
    {
        var reader = _queue.Reader;
        var closed = false;
        while (true)
        {
            if (_scheduler.PoolTexts == 0 && (closed || !await reader.WaitToReadAsync())) break;
            _scheduler.BeginGathering(Uptime);
            while (!_scheduler.IsPoolFull)
            {
                if (reader.TryRead(out var next))
                {
                    _scheduler.Add(next);
                    continue;
                }
                if (closed || _hurry.IsCancellationRequested) break;
                var left = _scheduler.WaitLeft(Uptime);
                if (left <= TimeSpan.Zero) break;
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_hurry.Token);
                waiting.CancelAfter(left);
                try
                {
                    if (!await reader.WaitToReadAsync(waiting.Token)) closed = true;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            if (_scheduler.TakePass() is { } pass) Run(pass);
        }
        while (reader.TryRead(out var left)) left.Cancel();
        _scheduler.CancelAll();
    }

    private void Run(ScheduledPass pass)
    {
        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<DialectPrediction> predictions;
        try
        {
            predictions = _model.PredictPass(pass.Texts, pass.Encodings);
        }
        catch (Exception e)
        {
            _scheduler.Fail(pass, e, Busy(started));
            return;
        }
        var elapsed = Busy(started);
        Interlocked.Increment(ref _passes);
        Interlocked.Add(ref _texts, pass.Count);
        _scheduler.Complete(pass, predictions, elapsed);
    }

    private TimeSpan Busy(long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        Interlocked.Add(ref _busyTicks, elapsed.Ticks);
        return elapsed;
    }

    private void Ended(ScheduledRequest request, bool answered)
    {
        _limit.Leave(request.Texts.Count);
        if (answered) Interlocked.Increment(ref _requests);
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
        _hurry.Dispose();
    }

    private static TextPreprocessor Preset(DialectIdentifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return TextPreprocessor.FromPreset(identifier.Options.Preprocessing);
    }
}
