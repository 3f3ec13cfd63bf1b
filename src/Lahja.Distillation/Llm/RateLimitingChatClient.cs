using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;

namespace Lahja.Distillation.Llm;

/// <summary>
/// Client-side rate limits in front of a chat client: requests per minute, and tokens per minute estimated before
/// sending (<see cref="LlmTeacher.EstimateTokens(IEnumerable{ChatMessage})"/>). Waiting for a permit ends when the
/// caller's token is cancelled: a request that has not been sent is not sent.
/// </summary>
internal sealed class RateLimitingChatClient : DelegatingChatClient
{
    private readonly RateLimiter? requestLimiter;
    private readonly RateLimiter? tokenLimiter;
    private readonly int tokenPermitLimit;

    public RateLimitingChatClient(IChatClient inner, int? requestsPerMinute, int? tokensPerMinute)
        : base(inner)
    {
        if (requestsPerMinute is { } rpm)
            requestLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, rpm / 60 + 1), TokensPerPeriod = Math.Max(1, rpm / 60), ReplenishmentPeriod = TimeSpan.FromSeconds(1) * Math.Max(1.0, 60.0 / rpm),
                QueueLimit = int.MaxValue, AutoReplenishment = true,
            });
        if (tokensPerMinute is { } tpm)
        {
            // A request never asks for more than the bucket holds, or it would wait forever.
            tokenPermitLimit = Math.Max(tpm / 60, 1000);
            tokenLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = tokenPermitLimit, TokensPerPeriod = Math.Max(1, tpm / 60), ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = int.MaxValue, AutoReplenishment = true,
            });
        }
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        await AcquireAsync(list, cancellationToken);
        return await base.GetResponseAsync(list, options, cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        await AcquireAsync(list, cancellationToken);
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken)) yield return update;
    }

    /// <summary>Waits for a request permit, then for the request's estimated tokens; throws when <paramref name="cancellationToken"/> is cancelled first.</summary>
    private async Task AcquireAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        if (requestLimiter is not null) using (await requestLimiter.AcquireAsync(1, cancellationToken)) { }
        if (tokenLimiter is not null)
        {
            var (input, output) = LlmTeacher.EstimateTokens(messages);
            using (await tokenLimiter.AcquireAsync((int)Math.Min(input + output, tokenPermitLimit), cancellationToken)) { }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            requestLimiter?.Dispose();
            tokenLimiter?.Dispose();
        }
        base.Dispose(disposing);
    }
}
