using System.ClientModel;
using System.ClientModel.Primitives;
using System.Security.Cryptography;
using System.Text;
using Lahja.Distillation.Llm;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Lahja.Distillation;

/// <summary>
/// The LLM teacher: one chat-completions request per sentence to any OpenAI-compatible server (OpenAI, Azure OpenAI,
/// vLLM, llama.cpp, Ollama) through Microsoft.Extensions.AI, with the versioned B2BERT prompt, JSON-schema structured
/// output where supported, robust parsing, retries with exponential back-off and jitter that honour Retry-After,
/// client-side rate limits, a per-request timeout and a persistent cache.
/// </summary>
/// <remarks>
/// The per-request concerns are delegating chat clients composed with <see cref="ChatClientBuilder"/>, outermost first:
/// <see cref="RateLimitingChatClient"/> (waits, cancellable, before anything is sent), <see cref="UsageCountingChatClient"/>,
/// <see cref="StructuredOutputChatClient"/> (the schema and its fallback) and <see cref="RequestTimeoutChatClient"/>.
/// Retries and the cache stay here, per row: a retry depends on the parsed answer (an unusable answer is asked again,
/// a refused schema is asked again at once) and must pass through the limits and counts again; the cache holds parsed
/// labels and the teacher's failures after the last attempt, answers the dry-run plan, and is keyed by sentence, not by
/// chat request.
/// </remarks>
public sealed class LlmTeacher : ITeacher
{
    private const string CacheTeacher = "openai";
    private readonly IChatClient client;
    private readonly LlmTeacherOptions options;
    private readonly AnswerCache? cache;
    private readonly RetryDelays delays;

    /// <summary>Creates the teacher over an OpenAI-compatible endpoint.</summary>
    public LlmTeacher(LlmTeacherOptions options, AnswerCache? cache)
        : this(CreateClient(options), options, cache)
    {
    }

    /// <summary>Creates the teacher over any chat client (tests, other providers).</summary>
    public LlmTeacher(IChatClient client, LlmTeacherOptions options, AnswerCache? cache)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        this.options = options;
        this.cache = cache;
        delays = new RetryDelays(options.InitialBackoff, options.MaxBackoff, options.Seed);
        this.client = new ChatClientBuilder(client)
            .Use(inner => new RateLimitingChatClient(inner, options.RequestsPerMinute, options.TokensPerMinute))
            .Use(inner => new UsageCountingChatClient(inner, Usage))
            .Use(inner => new StructuredOutputChatClient(inner, options.StructuredOutput))
            .Use(inner => new RequestTimeoutChatClient(inner, options.RequestTimeout))
            .Build();
    }

    /// <inheritdoc/>
    public string Name => $"openai:{options.Model}";

    /// <inheritdoc/>
    public string Version => DialectPrompt.Version;

    /// <summary>Requests, retries, cache hits, failures and tokens of the runs so far.</summary>
    public LlmUsage Usage { get; } = new();

    private static IChatClient CreateClient(LlmTeacherOptions options)
    {
        var clientOptions = new OpenAIClientOptions
        {
            // Retries are ours (counted, jittered, Retry-After honoured); the SDK's own would hide them.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.RequestTimeout + TimeSpan.FromSeconds(5),
        };
        if (options.BaseUrl is { } url) clientOptions.Endpoint = url;
        var key = string.IsNullOrEmpty(options.ApiKey) ? "no-key" : options.ApiKey;
        return new OpenAI.Chat.ChatClient(options.Model, new ApiKeyCredential(key), clientOptions).AsIChatClient();
    }

    /// <summary>The chat messages sent for one sentence (printable with <c>--dry-run</c>).</summary>
    public static IReadOnlyList<ChatMessage> Messages(string sentence) =>
        [new(ChatRole.System, DialectPrompt.System), new(ChatRole.User, DialectPrompt.User(sentence))];

    /// <inheritdoc/>
    public async Task<TeacherAnswer?[]> LabelAsync(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken)
    {
        var answers = new TeacherAnswer?[items.Count];
        var done = 0;
        var work = new List<int>();
        // The same text is asked once per run; its answer is shared by every row that has it.
        var firstRowOfText = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new List<(int Row, int First)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (firstRowOfText.TryGetValue(items[i].Text, out var first))
            {
                duplicates.Add((i, first));
                continue;
            }
            firstRowOfText[items[i].Text] = i;
            var hit = cache?.Find(CacheTeacher, options.Model, DialectPrompt.Version, items[i].Text);
            if (hit is not null && (hit.Labels is not null || !options.RetryFailed))
            {
                Usage.Hit();
                answers[i] = hit.Labels is null ? TeacherAnswer.Failed(hit.Error ?? "failed") : new TeacherAnswer(hit.Labels, null, hit.AnswerHash);
                done++;
            }
            else work.Add(i);
        }
        progress?.Report(new LabelingProgress(done + duplicates.Count(d => answers[d.First] is not null), items.Count));
        using var fatal = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None);
        Exception? fatalError = null;
        try
        {
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = fatal.Token }, async (i, _) =>
            {
                // Ctrl-C: rows not started are left for the rerun; a started row finishes (its request is paid for).
                // After a fatal answer (401, 403, 404) no row starts: Parallel.ForEachAsync alone still started up to
                // five more after one (LlmTeacherTests.Authentication_failure…).
                if (cancellationToken.IsCancellationRequested || fatal.IsCancellationRequested) return;
                try
                {
                    answers[i] = await AskAsync(items[i].Text, cancellationToken);
                }
                catch (TeacherUnavailableException e)
                {
                    fatalError ??= e;
                    await fatal.CancelAsync();
                    return;
                }
                progress?.Report(new LabelingProgress(Interlocked.Increment(ref done), items.Count));
            });
        }
        catch (OperationCanceledException) when (fatal.IsCancellationRequested)
        {
        }
        if (fatalError is not null) throw fatalError;
        foreach (var (row, first) in duplicates) answers[row] = answers[first];
        return answers;
    }

    /// <summary>Asks for one sentence with retries; null when stopped before an answer was recorded.</summary>
    private async Task<TeacherAnswer?> AskAsync(string text, CancellationToken stop)
    {
        string lastError = "no attempt";
        var answered = false; // whether the last attempt got an answer (unusable) rather than an error
        var unreachable = false;
        long input = 0, output = 0;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            if (attempt > 1 && stop.IsCancellationRequested) return null;
            TimeSpan? wait = null;
            answered = unreachable = false;
            var stopped = false;
            try
            {
                // The stop token only ends a wait for the rate limiter: once sent, a request runs to its answer or timeout.
                var response = await client.GetResponseAsync(Messages(text), new ChatOptions { Temperature = options.Temperature }, stop);
                input += response.Usage?.InputTokenCount ?? 0;
                output += response.Usage?.OutputTokenCount ?? 0;
                var answer = response.Text;
                if (AnswerParser.TryParse(answer, out var labels, out var error))
                {
                    var hash = HashAnswer(answer);
                    cache?.Store(CacheTeacher, options.Model, DialectPrompt.Version, text, labels, answer, hash, null, input, output, attempt);
                    return new TeacherAnswer(labels, null, hash);
                }
                lastError = $"unusable answer: {error}";
                answered = true;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                stopped = true; // while waiting for the rate limiter: nothing was sent
                return null;
            }
            catch (StructuredOutputRefusedException e)
            {
                lastError = e.Message;
                wait = TimeSpan.Zero;
            }
            catch (ClientResultException e) when (e.Status is 401 or 403 or 404)
            {
                throw new TeacherUnavailableException($"the server answered {e.Status} ({Brief(e.Message)}): check the model name, --base-url and the API key.", e);
            }
            catch (ClientResultException e) when (e.Status is 408 or 409 or 429 || e.Status >= 500)
            {
                lastError = $"HTTP {e.Status}";
                wait = delays.RetryAfter(e.GetRawResponse());
            }
            catch (ClientResultException e) when (e.Status == 0)
            {
                lastError = $"connection failed ({Brief(e.Message)})";
                unreachable = true;
            }
            catch (ClientResultException e)
            {
                lastError = $"HTTP {e.Status} ({Brief(e.Message)})";
            }
            catch (TimeoutException e)
            {
                lastError = e.Message;
            }
            catch (HttpRequestException e)
            {
                lastError = $"connection failed ({Brief(e.Message)})";
                unreachable = true;
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or ArgumentException or KeyNotFoundException or IOException)
            {
                // A 200 whose body is empty, cut short or not a chat completion: a failed attempt of this row, retried like an error.
                lastError = $"the server's answer could not be read (empty or truncated body: {Brief(e.Message)})";
            }
            finally
            {
                if (attempt > 1 && !stopped) Usage.Retry();
            }
            if (attempt == options.MaxAttempts) break;
            try
            {
                await Task.Delay(wait ?? delays.Backoff(attempt), stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        if (unreachable)
            throw new TeacherUnavailableException($"the server cannot be reached after {options.MaxAttempts} attempts: {lastError}.");
        Usage.Fail();
        // Only the teacher's own unusable answers are recorded as failed; errors and timeouts leave the row for the rerun.
        if (!answered) return TeacherAnswer.Failed(lastError, retryable: true);
        cache?.Store(CacheTeacher, options.Model, DialectPrompt.Version, text, null, null, "", lastError, input, output, options.MaxAttempts);
        return TeacherAnswer.Failed(lastError);
    }

    private static string Brief(string message) => message.Split('\n')[0].Trim();

    /// <summary>Characters per token assumed by the estimates made before sending.</summary>
    public const int CharactersPerToken = 3;

    /// <summary>Answer tokens assumed by the estimates made before sending (18 keys of JSON).</summary>
    public const int AnswerTokens = 120;

    /// <summary>Estimated tokens of one request: the prompt at <see cref="CharactersPerToken"/>, and the answer.</summary>
    public static (long Input, long Output) EstimateTokens(string text) => EstimateTokens(Messages(text));

    /// <summary>Estimated tokens of a request of <paramref name="messages"/>: their text at <see cref="CharactersPerToken"/>, and the answer.</summary>
    internal static (long Input, long Output) EstimateTokens(IEnumerable<ChatMessage> messages) =>
        (messages.Sum(m => (long)m.Text.Length) / CharactersPerToken, AnswerTokens);

    /// <summary>
    /// What <see cref="LabelAsync"/> would send for <paramref name="items"/>, without sending anything: each distinct
    /// text once, nothing for texts whose answer is cached (failures too, unless <see cref="LlmTeacherOptions.RetryFailed"/>).
    /// </summary>
    public LlmPlan Plan(IReadOnlyList<TeacherItem> items)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        int cached = 0, toSend = 0;
        long input = 0, output = 0;
        foreach (var item in items)
        {
            if (!distinct.Add(item.Text)) continue;
            var hit = cache?.Find(CacheTeacher, options.Model, DialectPrompt.Version, item.Text);
            if (hit is not null && (hit.Labels is not null || !options.RetryFailed))
            {
                cached++;
                continue;
            }
            toSend++;
            var (i, o) = EstimateTokens(item.Text);
            input += i;
            output += o;
        }
        return new LlmPlan(items.Count, distinct.Count, cached, toSend, input, output);
    }

    private static string HashAnswer(string answer) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(answer)))[..16];

    /// <inheritdoc/>
    public void Dispose() => client.Dispose();
}
