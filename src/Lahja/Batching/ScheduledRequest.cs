using Lahja.Text;

namespace Lahja.Batching;

/// <summary>
/// One request waiting in a <see cref="PassScheduler"/>: its texts as given, their encodings, and the predictions its
/// texts' passes have produced so far. It ends once, in one of three ways — answered (the pass of its last text ran),
/// failed (a pass holding one of its texts threw) or cancelled (its caller gave up, or the scheduler stopped) — and
/// <see cref="Result"/> then completes.
/// </summary>
public sealed class ScheduledRequest
{
    private readonly DialectPrediction[] _results;
    private readonly TaskCompletionSource<IReadOnlyList<DialectPrediction>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationToken _cancellation;
    private readonly Action<ScheduledRequest, bool>? _ended;
    private int _left;
    private int _isFinished;

    /// <summary>A request of <paramref name="texts"/> (at least one) encoded as <paramref name="encodings"/>.</summary>
    /// <param name="texts">The texts as the caller gave them: the predictions carry them.</param>
    /// <param name="encodings">Their encodings, in the same order.</param>
    /// <param name="arrived">When the request came, on the clock its scheduler is given.</param>
    /// <param name="cancellation">The caller's: once cancelled, the request is dropped before its next pass.</param>
    /// <param name="ended">Called once when the request ends, with whether it was answered (for queue accounting).</param>
    public ScheduledRequest(IReadOnlyList<string> texts, IReadOnlyList<TokenizedText> encodings, TimeSpan arrived,
        Action<ScheduledRequest, bool>? ended = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(encodings);
        if (texts.Count == 0) throw new ArgumentException("A request needs at least one text.", nameof(texts));
        if (texts.Count != encodings.Count) throw new ArgumentException($"{texts.Count} texts but {encodings.Count} encodings.", nameof(encodings));
        Texts = texts;
        Encodings = encodings;
        Arrived = arrived;
        _cancellation = cancellation;
        _ended = ended;
        _results = new DialectPrediction[texts.Count];
        _left = texts.Count;
    }

    /// <summary>The texts as given.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Their encodings.</summary>
    public IReadOnlyList<TokenizedText> Encodings { get; }

    /// <summary>When the request came, on its scheduler's clock.</summary>
    public TimeSpan Arrived { get; }

    /// <summary>The predictions in text order, once answered; failed or cancelled otherwise.</summary>
    public Task<IReadOnlyList<DialectPrediction>> Result => _result.Task;

    /// <summary>Whether the request has ended (answered, failed or cancelled).</summary>
    public bool IsFinished => Volatile.Read(ref _isFinished) != 0;

    /// <summary>Ends the request as cancelled, unless it has ended already.</summary>
    public void Cancel()
    {
        if (End(answered: false)) _result.TrySetCanceled();
    }

    /// <summary>Records the prediction of text <paramref name="index"/>; true when that answered the request.</summary>
    internal bool Complete(int index, DialectPrediction prediction)
    {
        _results[index] = prediction;
        if (--_left > 0 || !End(answered: true)) return false;
        _result.TrySetResult(_results);
        return true;
    }

    internal void Fail(Exception error)
    {
        if (End(answered: false)) _result.TrySetException(error);
    }

    /// <summary>Ends the request if its caller gave up; true then (or when it had ended already by giving up).</summary>
    internal bool GiveUpIfCancelled()
    {
        if (!_cancellation.IsCancellationRequested) return false;
        if (End(answered: false)) _result.TrySetCanceled(_cancellation);
        return true;
    }

    private bool End(bool answered)
    {
        if (Interlocked.Exchange(ref _isFinished, 1) != 0) return false;
        _ended?.Invoke(this, answered);
        return true;
    }
}
