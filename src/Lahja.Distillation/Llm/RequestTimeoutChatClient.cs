using Microsoft.Extensions.AI;

namespace Lahja.Distillation.Llm;

/// <summary>
/// Gives each request its own deadline and reports running past it as a <see cref="TimeoutException"/>. The caller's
/// token is deliberately not passed on: a request already sent is paid for, so a stopped run lets it finish (within
/// its deadline) and keeps its answer; stopping is honoured before sending (<see cref="RateLimitingChatClient"/>).
/// </summary>
internal sealed class RequestTimeoutChatClient(IChatClient inner, TimeSpan timeout) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await base.GetResponseAsync(messages, options, deadline.Token);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s", e);
        }
    }
}
