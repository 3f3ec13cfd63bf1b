using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Lahja.Distillation;

/// <summary>How the LLM teacher asks for JSON.</summary>
public enum StructuredOutput
{
    /// <summary>JSON-schema structured output; if the server refuses it (400), plain prompting from then on.</summary>
    Auto,
    /// <summary>Always JSON-schema structured output.</summary>
    JsonSchema,
    /// <summary>Plain prompting; the answer is parsed from the text.</summary>
    None,
}

/// <summary>Settings of the LLM teacher.</summary>
public sealed class LlmTeacherOptions
{
    /// <summary>The model name sent to the server.</summary>
    public required string Model { get; init; }

    /// <summary>The server's base URL (…/v1); null for OpenAI's.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The API key; local servers that need none get a placeholder.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests in flight at most.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Attempts per row (first try included) before it is recorded as failed.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Time allowed for one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First back-off delay; doubled each retry, with full jitter, capped at <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest back-off (and longest honoured Retry-After).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Client-side limit on requests per minute (null: none).</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Client-side limit on tokens per minute, estimated before sending (null: none).</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Sampling temperature (0: the most likely answer).</summary>
    public float Temperature { get; init; }

    /// <summary>How JSON is requested.</summary>
    public StructuredOutput StructuredOutput { get; init; } = StructuredOutput.Auto;

    /// <summary>Ask again rows whose failure is cached.</summary>
    public bool RetryFailed { get; init; }

    /// <summary>Seed of the back-off jitter.</summary>
    public int Seed { get; init; } = 42;
}

/// <summary>Totals of an LLM labelling run.</summary>
public sealed class LlmUsage
{
    private long requests, retries, cached, failed, inputTokens, outputTokens;

    /// <summary>HTTP requests sent.</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Requests that were retries (after an error, a timeout or an unusable answer).</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Rows answered from the cache (no request).</summary>
    public long Cached => Interlocked.Read(ref cached);

    /// <summary>Rows recorded as failed in this run.</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Prompt tokens reported by the server.</summary>
    public long InputTokens => Interlocked.Read(ref inputTokens);

    /// <summary>Completion tokens reported by the server.</summary>
    public long OutputTokens => Interlocked.Read(ref outputTokens);

    internal void Request(bool retry)
    {
        Interlocked.Increment(ref requests);
        if (retry) Interlocked.Increment(ref retries);
    }

    internal void Hit() => Interlocked.Increment(ref cached);

    internal void Fail() => Interlocked.Increment(ref failed);

    internal void Tokens(long input, long output)
    {
        Interlocked.Add(ref inputTokens, input);
        Interlocked.Add(ref outputTokens, output);
    }
}

/// <summary>The run cannot go on (authentication, unknown model, unreachable endpoint): every row would fail the same way.</summary>
public sealed class TeacherUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>
/// The LLM teacher: one chat-completions request per sentence to any OpenAI-compatible server (OpenAI, Azure OpenAI,
/// vLLM, llama.cpp, Ollama) through Microsoft.Extensions.AI, with the versioned B2BERT prompt, JSON-schema structured
/// output where supported, robust parsing, retries with exponential back-off and jitter that honour Retry-After,
/// client-side rate limits, a per-request timeout and a persistent cache.
/// </summary>
public sealed class LlmTeacher : ITeacher
{
    private const string CacheTeacher = "openai";
    private readonly IChatClient client;
    private readonly LlmTeacherOptions options;
    private readonly AnswerCache? cache;
    private readonly RateLimiter? requestLimiter;
    private readonly RateLimiter? tokenLimiter;
    private readonly Random jitter;
    private readonly Lock jitterGate = new();
    private volatile bool useSchema;

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
        this.client = client;
        this.options = options;
        this.cache = cache;
        useSchema = options.StructuredOutput != StructuredOutput.None;
        jitter = new Random(options.Seed);
        if (options.RequestsPerMinute is { } rpm)
            requestLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, rpm / 60 + 1), TokensPerPeriod = Math.Max(1, rpm / 60), ReplenishmentPeriod = TimeSpan.FromSeconds(1) * Math.Max(1.0, 60.0 / rpm) ,
                QueueLimit = int.MaxValue, AutoReplenishment = true,
            });
        if (options.TokensPerMinute is { } tpm)
            tokenLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(tpm / 60, 1000), TokensPerPeriod = Math.Max(1, tpm / 60), ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = int.MaxValue, AutoReplenishment = true,
            });
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
                if (cancellationToken.IsCancellationRequested) return;
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
            await AcquireAsync(text, stop);
            TimeSpan? wait = null;
            answered = unreachable = false;
            Usage.Request(attempt > 1);
            using var timeout = new CancellationTokenSource(options.RequestTimeout);
            var schema = useSchema;
            try
            {
                var chatOptions = new ChatOptions
                {
                    Temperature = options.Temperature,
                    ResponseFormat = schema ? ChatResponseFormat.ForJsonSchema(DialectPrompt.AnswerSchema, "dialects", "Whether the sentence could be said in each dialect (1) or not (0).") : null,
                };
                var response = await client.GetResponseAsync(Messages(text), chatOptions, timeout.Token);
                var usage = response.Usage;
                input += usage?.InputTokenCount ?? 0;
                output += usage?.OutputTokenCount ?? 0;
                Usage.Tokens(usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0);
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
            catch (ClientResultException e) when (e.Status is 400 && schema && options.StructuredOutput == StructuredOutput.Auto)
            {
                // The server does not take response_format json_schema: prompt only, from now on.
                useSchema = false;
                lastError = "server refused JSON-schema output";
                wait = TimeSpan.Zero;
            }
            catch (ClientResultException e) when (e.Status is 401 or 403 or 404)
            {
                throw new TeacherUnavailableException($"the server answered {e.Status} ({Brief(e.Message)}): check the model name, --base-url and the API key.", e);
            }
            catch (ClientResultException e) when (e.Status is 408 or 409 or 429 || e.Status >= 500)
            {
                lastError = $"HTTP {e.Status}";
                wait = RetryAfter(e.GetRawResponse());
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
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                lastError = $"timed out after {options.RequestTimeout.TotalSeconds:0.#} s";
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
            if (attempt == options.MaxAttempts) break;
            try
            {
                await Task.Delay(wait ?? Backoff(attempt), stop);
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

    private async Task AcquireAsync(string text, CancellationToken stop)
    {
        if (requestLimiter is not null) using (await requestLimiter.AcquireAsync(1, CancellationToken.None)) { }
        if (tokenLimiter is not null)
        {
            var (input, output) = EstimateTokens(text);
            using (await tokenLimiter.AcquireAsync((int)Math.Min(input + output, Math.Max(options.TokensPerMinute!.Value / 60, 1000)), CancellationToken.None)) { }
        }
        _ = stop;
    }

    /// <summary>Characters per token assumed by the estimates made before sending.</summary>
    public const int CharactersPerToken = 3;

    /// <summary>Answer tokens assumed by the estimates made before sending (18 keys of JSON).</summary>
    public const int AnswerTokens = 120;

    /// <summary>Estimated tokens of one request: the prompt at <see cref="CharactersPerToken"/>, and the answer.</summary>
    public static (long Input, long Output) EstimateTokens(string text) =>
        ((DialectPrompt.System.Length + DialectPrompt.User(text).Length) / CharactersPerToken, AnswerTokens);

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

    /// <summary>Exponential back-off with full jitter: uniform in [0, min(max, initial × 2^(attempt−1))].</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(options.MaxBackoff.TotalMilliseconds, options.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1));
        lock (jitterGate) return TimeSpan.FromMilliseconds(jitter.NextDouble() * ceiling);
    }

    /// <summary>The server's Retry-After (seconds or an HTTP date; also retry-after-ms), capped at the longest back-off.</summary>
    private TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null) return null;
        TimeSpan? value = null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, CultureInfo.InvariantCulture, out var milliseconds))
            value = TimeSpan.FromMilliseconds(milliseconds);
        else if (response.Headers.TryGetValue("Retry-After", out var header) && header is not null)
        {
            if (double.TryParse(header, CultureInfo.InvariantCulture, out var seconds)) value = TimeSpan.FromSeconds(seconds);
            else if (DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)) value = date - DateTimeOffset.UtcNow;
        }
        if (value is not { } v) return null;
        return v < TimeSpan.Zero ? TimeSpan.Zero : v > options.MaxBackoff ? options.MaxBackoff : v;
    }

    private static string HashAnswer(string answer) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(answer)))[..16];

    /// <inheritdoc/>
    public void Dispose()
    {
        requestLimiter?.Dispose();
        tokenLimiter?.Dispose();
        client.Dispose();
    }
}
