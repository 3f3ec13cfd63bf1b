using Lahja.Distillation.Llm;
using Microsoft.Extensions.AI;

namespace Lahja.Distillation.Tests;

public sealed class ChatClientPipelineTests
{
    /// <summary>Answers every request at once, counting them.</summary>
    private sealed class CountingClient : IChatClient
    {
        public int Calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "{}")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_request_waiting_for_the_rate_limiter_is_given_up_unsent_when_its_token_is_cancelled()
    {
        var inner = new CountingClient();
        using var limited = new RateLimitingChatClient(inner, requestsPerMinute: 1, tokensPerMinute: null);
        await limited.GetResponseAsync(LlmTeacher.Messages("جملة"), cancellationToken: TestContext.Current.CancellationToken);
        using var stop = new CancellationTokenSource();
        var waiting = limited.GetResponseAsync(LlmTeacher.Messages("جملة ثانية"), cancellationToken: stop.Token);
        Assert.False(waiting.IsCompleted); // the one permit of the minute is spent
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task The_token_limiter_gives_up_too_when_its_token_is_cancelled()
    {
        var inner = new CountingClient();
        // A bucket of 1,000 tokens, refilled by 1 a second; a request of 2,500 characters is estimated at over 950, so the second waits.
        using var limited = new RateLimitingChatClient(inner, requestsPerMinute: null, tokensPerMinute: 60);
        var text = new string('ش', 2500);
        await limited.GetResponseAsync(LlmTeacher.Messages(text), cancellationToken: TestContext.Current.CancellationToken);
        using var stop = new CancellationTokenSource();
        var waiting = limited.GetResponseAsync(LlmTeacher.Messages(text), cancellationToken: stop.Token);
        Assert.False(waiting.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, inner.Calls);
    }
}
