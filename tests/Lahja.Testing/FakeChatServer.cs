using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lahja.Testing;

/// <summary>
/// A real HTTP server on loopback that implements OpenAI's <c>POST /v1/chat/completions</c> with scripted behaviours
/// per sentence (the text after "Sentence: " in the user message). Unscripted requests get the default answer for
/// the sentence. Records every request received and every answer delivered.
/// </summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Behaviour>> scripts = new();
    private readonly Func<string, string> defaultAnswer;

    /// <summary>Starts the server; <paramref name="defaultAnswer"/> gives the content for an unscripted sentence.</summary>
    public FakeChatServer(Func<string, string> defaultAnswer)
    {
        this.defaultAnswer = defaultAnswer;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapPost("/v1/chat/completions", Handle);
        app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = new Uri(app.Urls.First() + "/v1");
    }

    /// <summary>The server's base URL (…/v1).</summary>
    public Uri BaseUrl { get; }

    /// <summary>Requests received, in arrival order: sentence, whether response_format json_schema was asked, arrival time.</summary>
    public ConcurrentQueue<(string Sentence, bool Schema, DateTime At)> Received { get; } = new();

    /// <summary>Sentences answered with a 200 completion.</summary>
    public ConcurrentQueue<string> Answered { get; } = new();

    /// <summary>When set, a request carrying response_format gets 400 (a server without structured output).</summary>
    public bool RefuseSchema { get; set; }

    /// <summary>When set, every request gets this status (for example 401).</summary>
    public int? AlwaysStatus { get; set; }

    /// <summary>Fires when a request hangs (crash tests kill the client then).</summary>
    public TaskCompletionSource HangStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Hang on the n-th request (1-based) overall, whatever its sentence.</summary>
    public int? HangOnRequest { get; set; }

    /// <summary>Queues behaviours for a sentence; they are used in order, then the default answer.</summary>
    public void Script(string sentence, params Behaviour[] behaviours)
    {
        var queue = scripts.GetOrAdd(sentence, _ => new ConcurrentQueue<Behaviour>());
        foreach (var b in behaviours) queue.Enqueue(b);
    }

    /// <summary>Requests received for a sentence.</summary>
    public int RequestsFor(string sentence) => Received.Count(r => r.Sentence == sentence);

    private int requestCount;

    private async Task Handle(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var user = body!["messages"]!.AsArray().Last(m => (string?)m!["role"] == "user")!["content"];
        var content = user is JsonValue ? (string)user! : string.Concat(user!.AsArray().Select(p => (string?)p!["text"]));
        var sentence = content[(content.LastIndexOf("Sentence: ", StringComparison.Ordinal) + "Sentence: ".Length)..];
        var schema = body["response_format"] is { } format && (string?)format["type"] == "json_schema";
        Received.Enqueue((sentence, schema, DateTime.UtcNow));
        var number = Interlocked.Increment(ref requestCount);
        if (HangOnRequest == number)
        {
            HangStarted.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, context.RequestAborted); } catch (OperationCanceledException) { }
            return;
        }
        if (AlwaysStatus is { } always)
        {
            await Error(context, always, null);
            return;
        }
        if (RefuseSchema && schema)
        {
            await Error(context, 400, null, "response_format json_schema is not supported");
            return;
        }
        var behaviour = scripts.TryGetValue(sentence, out var queue) && queue.TryDequeue(out var next) ? next : new Behaviour.Content(defaultAnswer(sentence));
        switch (behaviour)
        {
            case Behaviour.Status status:
                await Error(context, status.Code, status.RetryAfterSeconds);
                return;
            case Behaviour.Hang:
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); } catch (OperationCanceledException) { }
                return;
            case Behaviour.Content answer:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Completion(number, (string?)body["model"], answer.Text));
                await context.Response.CompleteAsync();
                Answered.Enqueue(sentence);
                return;
            case Behaviour.EmptyBody:
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 0;
                await context.Response.CompleteAsync();
                return;
            case Behaviour.TruncatedBody:
                var whole = Completion(number, (string?)body["model"], defaultAnswer(sentence));
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(whole[..(whole.Length / 2)]);
                await context.Response.CompleteAsync();
                return;
            case Behaviour.DroppedBody:
                var full = System.Text.Encoding.UTF8.GetBytes(Completion(number, (string?)body["model"], defaultAnswer(sentence)));
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = full.Length;
                await context.Response.Body.WriteAsync(full.AsMemory(0, full.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
        }
    }

    private static string Completion(int number, string? model, string content) => new JsonObject
    {
        ["id"] = $"chatcmpl-{number}", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0, ["finish_reason"] = "stop",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 40, ["total_tokens"] = 140 },
    }.ToJsonString();

    private static async Task Error(HttpContext context, int status, int? retryAfter, string message = "scripted error")
    {
        context.Response.StatusCode = status;
        if (retryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { message, type = "scripted", code = status } }));
    }

    /// <summary>The JSON answer for a set of dialects (all 18 keys).</summary>
    public static string AnswerFor(IEnumerable<Dialect> dialects)
    {
        var set = dialects.ToHashSet();
        return JsonSerializer.Serialize(Lahja.Dialects.Table.ToDictionary(d => d.Label, d => set.Contains(d.Dialect) ? 1 : 0));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
