using System.Threading.Channels;
using Lahja.Text;

namespace Lahja.Server;

/// <summary>The queue is full: the client should retry later (HTTP 503 with Retry-After).</summary>
public sealed class QueueFullException() : Exception("The request queue is full.");

/// <summary>
/// Merges the texts of concurrent requests into shared model batches: the first waiting request opens a batch, which
/// closes when it holds <see cref="MaxBatchTexts"/> texts or <see cref="MaxWait"/> has passed, then runs once and hands
/// each request its own results, in its own order. The queue is bounded (back-pressure).
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    private readonly DialectIdentifier _identifier;
    private readonly TextPreprocessor? _preprocessor;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _hurry = new();
    private int _queuedTexts;
    private long _batches;
    private long _texts;
    private long _requests;

    /// <summary>Starts the batching loop.</summary>
    /// <param name="identifier">The model.</param>
    /// <param name="maxBatchTexts">Most texts in one model batch.</param>
    /// <param name="maxWait">Longest time a batch waits for more requests.</param>
    /// <param name="maxQueuedTexts">Most texts waiting before requests are refused.</param>
    /// <param name="preprocessor">
    /// Preprocessing applied inside the batch; null: the identifier's own preset. The server passes
    /// <see cref="TextPreprocessor.None"/> and preprocesses on the request threads, so requests with different presets
    /// can share a batch and the model thread does only tokenizing and the forward pass.
    /// </param>
    public MicroBatcher(DialectIdentifier identifier, int maxBatchTexts, TimeSpan maxWait, int maxQueuedTexts, TextPreprocessor? preprocessor = null)
    {
        _identifier = identifier;
        _preprocessor = preprocessor;
        MaxBatchTexts = maxBatchTexts;
        MaxWait = maxWait;
        MaxQueuedTexts = maxQueuedTexts;
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        _loop = Task.Run(Loop);
    }

    /// <summary>Most texts in one model batch.</summary>
    public int MaxBatchTexts { get; }

    /// <summary>Longest time a batch waits for more requests.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>Most texts waiting before requests are refused.</summary>
    public int MaxQueuedTexts { get; }

    /// <summary>Texts waiting now.</summary>
    public int QueuedTexts => Volatile.Read(ref _queuedTexts);

    /// <summary>Model batches run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Texts predicted so far.</summary>
    public long Texts => Interlocked.Read(ref _texts);

    /// <summary>Requests answered so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Predicts <paramref name="texts"/> within shared batches.</summary>
    /// <exception cref="QueueFullException">Too many texts are waiting.</exception>
    public Task<IReadOnlyList<DialectPrediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (Interlocked.Add(ref _queuedTexts, texts.Count) > MaxQueuedTexts && texts.Count < Volatile.Read(ref _queuedTexts))
        {
            Interlocked.Add(ref _queuedTexts, -texts.Count);
            throw new QueueFullException();
        }
        var pending = new Pending(texts, new TaskCompletionSource<IReadOnlyList<DialectPrediction>>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
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
        var batch = new List<Pending>();
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                batch.Clear();
                var count = 0;
                var deadline = DateTime.UtcNow + MaxWait;
                // Take the first request, then more until the batch is full or the wait is over. A request is never
                // split, so its results stay together; one larger than the batch runs alone.
                while (reader.TryPeek(out var next) && (batch.Count == 0 || count + next.Texts.Count <= MaxBatchTexts))
                {
                    reader.TryRead(out next);
                    batch.Add(next!);
                    count += next!.Texts.Count;
                    if (count >= MaxBatchTexts) break;
                    if (!reader.TryPeek(out _))
                    {
                        var left = deadline - DateTime.UtcNow;
                        if (left <= TimeSpan.Zero || _hurry.IsCancellationRequested) break;
                        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _hurry.Token);
                        wait.CancelAfter(left);
                        try
                        {
                            await reader.WaitToReadAsync(wait.Token);
                        }
                        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                        {
                            break;
                        }
                    }
                }
                Run(batch, count);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        while (reader.TryRead(out var left)) left.Result.TrySetCanceled();
    }

    private void Run(List<Pending> taken, int count)
    {
        try
        {
            // A request that gave up while waiting (timeout, client gone) is not worth a forward pass.
            var batch = new List<Pending>(taken.Count);
            foreach (var pending in taken)
                if (pending.Cancellation.IsCancellationRequested) pending.Result.TrySetCanceled(pending.Cancellation);
                else batch.Add(pending);
            if (batch.Count == 0) return;
            var all = batch.SelectMany(p => p.Texts).ToArray();
            var predictions = _preprocessor is null ? _identifier.Predict(all) : _identifier.Predict(all, _preprocessor);
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Result.TrySetResult(predictions.Skip(offset).Take(pending.Texts.Count).ToArray());
                offset += pending.Texts.Count;
            }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _texts, all.Length);
            Interlocked.Add(ref _requests, batch.Count);
        }
        catch (Exception e)
        {
            foreach (var pending in taken) pending.Result.TrySetException(e);
        }
        finally
        {
            Interlocked.Add(ref _queuedTexts, -count);
        }
    }

    /// <summary>
    /// From now on a batch runs as soon as it has what is waiting, without waiting for more: called when the server
    /// starts stopping, so the requests in flight finish at once rather than after <see cref="MaxWait"/>.
    /// </summary>
    public void StopWaiting() => _hurry.Cancel();

    /// <summary>Stops after the requests already taken; the rest are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _stop.Dispose();
        _hurry.Dispose();
    }

    private sealed record Pending(IReadOnlyList<string> Texts, TaskCompletionSource<IReadOnlyList<DialectPrediction>> Result, CancellationToken Cancellation);
}
