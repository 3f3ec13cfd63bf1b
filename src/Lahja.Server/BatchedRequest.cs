using Lahja.Text;
using Microsoft.AspNetCore.Http;

namespace Lahja.Server;

/// <summary>
/// What every prediction route does around its own parsing and answer shapes, written once: the request timeout and
/// the way through the shared <see cref="MicroBatcher"/>.
/// </summary>
internal static class BatchedRequest
{
    /// <summary>
    /// Runs <paramref name="handle"/> under <paramref name="timeout"/> (body reading included): a request that takes
    /// longer gets <paramref name="timedOut"/>'s answer, in the caller's shape.
    /// </summary>
    public static async Task<IResult> WithTimeout(HttpContext context, TimeSpan timeout, Func<CancellationToken, Task<IResult>> handle, Func<IResult> timedOut)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        cancellation.CancelAfter(timeout);
        try
        {
            return await handle(cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            return timedOut();
        }
    }

    /// <summary>
    /// Predicts <paramref name="texts"/> (as sent) within the batcher's shared passes, preprocessed with
    /// <paramref name="preprocessor"/>; null when the queue is full, with Retry-After set for the caller's answer.
    /// A broken model's non-finite probabilities never come back: the pass throws, and the request is a 500.
    /// </summary>
    public static async Task<IReadOnlyList<DialectPrediction>?> TryPredict(
        this MicroBatcher batcher, HttpContext context, IReadOnlyList<string> texts, TextPreprocessor preprocessor, CancellationToken cancellationToken)
    {
        try
        {
            return await batcher.PredictAsync(texts, preprocessor, cancellationToken);
        }
        catch (QueueFullException)
        {
            context.Response.Headers.RetryAfter = "1";
            return null;
        }
    }
}
