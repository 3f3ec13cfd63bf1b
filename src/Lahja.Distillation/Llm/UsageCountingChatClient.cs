using Microsoft.Extensions.AI;

namespace Lahja.Distillation.Llm;

/// <summary>Counts the requests sent through it, and the tokens the server reports, into <see cref="LlmUsage"/>.</summary>
internal sealed class UsageCountingChatClient(IChatClient inner, LlmUsage usage) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        usage.Request();
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        usage.Tokens(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        return response;
    }
}
