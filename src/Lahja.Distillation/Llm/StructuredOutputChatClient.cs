using System.ClientModel;
using Microsoft.Extensions.AI;

namespace Lahja.Distillation.Llm;

/// <summary>
/// Asks for the answer as JSON with <see cref="DialectPrompt.AnswerSchema"/> (structured output) according to the
/// <see cref="StructuredOutput"/> mode. Under <see cref="StructuredOutput.Auto"/>, a server that refuses the schema
/// (HTTP 400) is prompted plainly from then on: that request fails with <see cref="StructuredOutputRefusedException"/>,
/// for the caller to send again.
/// </summary>
internal sealed class StructuredOutputChatClient(IChatClient inner, StructuredOutput mode) : DelegatingChatClient(inner)
{
    private volatile bool useSchema = mode != StructuredOutput.None;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var schema = useSchema;
        var asked = options?.Clone() ?? new ChatOptions();
        asked.ResponseFormat = schema ? ChatResponseFormat.ForJsonSchema(DialectPrompt.AnswerSchema, "dialects", "Whether the sentence could be said in each dialect (1) or not (0).") : null;
        try
        {
            return await base.GetResponseAsync(messages, asked, cancellationToken);
        }
        catch (ClientResultException e) when (e.Status is 400 && schema && mode == StructuredOutput.Auto)
        {
            useSchema = false;
            throw new StructuredOutputRefusedException(e);
        }
    }
}
