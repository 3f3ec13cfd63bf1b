using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lahja.Server;

/// <summary>Settings of the service.</summary>
public sealed record ServerOptions
{
    /// <summary>The model: directory or Hub id (null: $LAHJA_MODEL, then the bundled model).</summary>
    public string? Model { get; init; }
    /// <summary>Addresses to listen on.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5000";
    /// <summary>Most texts in one request.</summary>
    public int MaxTextsPerRequest { get; init; } = 256;
    /// <summary>Most characters in one text.</summary>
    public int MaxCharactersPerText { get; init; } = 5000;
    /// <summary>Largest request body in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 2_000_000;
    /// <summary>Most texts merged into one model batch across concurrent requests.</summary>
    public int MaxBatchTexts { get; init; } = 64;
    /// <summary>Longest wait, in milliseconds, for more requests to join a batch.</summary>
    public int MaxWaitMilliseconds { get; init; } = 5;
    /// <summary>Most texts waiting before requests get 503 with Retry-After.</summary>
    public int MaxQueuedTexts { get; init; } = 4096;
    /// <summary>Options of the identifier (threshold, batch size, preprocessing, threads).</summary>
    public DialectIdentifierOptions Identifier { get; init; } = new();
}

/// <summary>
/// The HTTP API: <c>POST /v1/identify</c>, <c>GET /v1/dialects</c>, <c>GET /v1/model</c>, <c>GET /healthz</c>,
/// <c>GET /readyz</c>. Bad input is answered with 400/413/415 and an RFC 7807 problem naming the field, never a 500.
/// </summary>
public static class LahjaServer
{
    /// <summary>Loads the model and builds the application (not started).</summary>
    public static WebApplication Build(ServerOptions options)
    {
        var directory = ModelLocator.Resolve(options.Model);
        var identifier = DialectIdentifier.Load(directory, options.Identifier);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A failed start (port in use, …) is reported once, clearly, by the caller; not as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddProblemDetails();
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        });
        var app = builder.Build();
        var batcher = new MicroBatcher(identifier, options.MaxBatchTexts, TimeSpan.FromMilliseconds(options.MaxWaitMilliseconds), options.MaxQueuedTexts);
        var metrics = new ServerMetrics();
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            batcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
            identifier.Dispose();
        });
        var modelInfo = ModelInfo(directory, identifier);

        app.MapGet("/healthz", () => Results.Ok(new { status = "alive" }));
        app.MapGet("/readyz", () => Results.Ok(new { status = "ready", model = directory }));
        app.MapGet("/v1/dialects", () => Results.Ok(Dialects.Table.Select(d => new { index = d.Index, label = d.Label, english = d.EnglishName, arabic = d.ArabicName, iso = d.IsoCode, region = d.Region.EnglishName() })));
        app.MapGet("/v1/model", () => Results.Ok(modelInfo));
        // Typed explicitly: a plain (HttpContext) => Task<IResult> lambda would bind as a RequestDelegate and its result be ignored.
        app.MapPost("/v1/identify", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = await Identify(context, identifier, batcher, options);
            metrics.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            return result;
        }));
        app.MapGet("/metrics", () => Results.Text(metrics.Render(batcher), "text/plain; version=0.0.4"));
        return app;
    }

    private static object ModelInfo(string directory, DialectIdentifier identifier)
    {
        var weights = new[] { "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin" }.Select(f => Path.Combine(directory, f)).FirstOrDefault(File.Exists);
        string? hash = null;
        if (weights is not null)
        {
            using var stream = File.OpenRead(weights);
            hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        return new
        {
            directory, weights = hash, labels = identifier.Labels.Description,
            threshold = identifier.Options.Threshold ?? DialectIdentifierOptions.DefaultThreshold,
            dialect_thresholds = identifier.Options.DialectThresholds?.ToDictionary(p => p.Key.Label(), p => p.Value),
            preprocessing = identifier.Options.Preprocessing, max_length = identifier.Options.MaxLength,
            dialects = Dialects.Table.Select(d => d.Label),
        };
    }

    private static IResult Problem(int status, string title, string detail, string? field = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    private static async Task<IResult> Identify(HttpContext context, DialectIdentifier identifier, MicroBatcher batcher, ServerOptions options)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return Problem(415, "Unsupported media type", "Send the request as application/json.");
        JsonDocument document;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var bytes = buffer.ToArray();
            try
            {
                _ = new System.Text.UTF8Encoding(false, true).GetString(bytes);
            }
            catch (System.Text.DecoderFallbackException)
            {
                return Problem(400, "Invalid encoding", "The body is not valid UTF-8.");
            }
            document = JsonDocument.Parse(bytes);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == 413)
        {
            return Problem(413, "Body too large", $"The body exceeds {options.MaxBodyBytes} bytes.");
        }
        catch (JsonException e)
        {
            return Problem(400, "Invalid JSON", e.Message);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Problem(400, "Invalid request", "The body must be a JSON object.");
            List<string> texts;
            if (root.TryGetProperty("text", out var text))
            {
                if (text.ValueKind != JsonValueKind.String) return Problem(400, "Invalid field", "\"text\" must be a string.", "text");
                texts = [text.GetString()!];
            }
            else if (root.TryGetProperty("texts", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array) return Problem(400, "Invalid field", "\"texts\" must be an array of strings.", "texts");
                texts = [];
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String) return Problem(400, "Invalid field", $"texts[{texts.Count}] is not a string.", $"texts[{texts.Count}]");
                    texts.Add(item.GetString()!);
                }
                if (texts.Count == 0) return Problem(400, "Invalid field", "\"texts\" is empty.", "texts");
            }
            else return Problem(400, "Missing field", "Give \"text\" (a string) or \"texts\" (an array of strings).", "text");
            if (texts.Count > options.MaxTextsPerRequest)
                return Problem(413, "Too many texts", $"{texts.Count} texts; at most {options.MaxTextsPerRequest} per request.", "texts");
            var tooLong = texts.FindIndex(t => t.Length > options.MaxCharactersPerText);
            if (tooLong >= 0)
                return Problem(413, "Text too long", $"Text {tooLong} has {texts[tooLong].Length} characters; at most {options.MaxCharactersPerText}.", texts.Count == 1 && root.TryGetProperty("text", out _) ? "text" : $"texts[{tooLong}]");

            float? threshold = null;
            if (root.TryGetProperty("threshold", out var t))
            {
                if (t.ValueKind != JsonValueKind.Number || !t.TryGetSingle(out var value) || value is < 0 or > 1)
                    return Problem(400, "Invalid field", "\"threshold\" must be a number between 0 and 1.", "threshold");
                threshold = value;
            }
            var topK = identifier.Options.TopK;
            if (root.TryGetProperty("top_k", out var k))
            {
                if (k.ValueKind != JsonValueKind.Number || !k.TryGetInt32(out topK) || topK is < 0 or > Dialects.Count)
                    return Problem(400, "Invalid field", $"\"top_k\" must be an integer between 0 and {Dialects.Count}.", "top_k");
            }
            HashSet<Dialect>? subset = null;
            if (root.TryGetProperty("dialects", out var only))
            {
                if (only.ValueKind != JsonValueKind.Array) return Problem(400, "Invalid field", "\"dialects\" must be an array of dialect labels.", "dialects");
                subset = [];
                foreach (var item in only.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String || !Dialects.TryParse(item.GetString(), out var d))
                        return Problem(400, "Invalid field", $"\"dialects\" holds '{item}', which is not a dialect.", "dialects");
                    subset.Add(d);
                }
            }
            if (root.TryGetProperty("preprocess", out var preprocess) && (preprocess.ValueKind != JsonValueKind.String || !string.Equals(preprocess.GetString(), identifier.Options.Preprocessing, StringComparison.OrdinalIgnoreCase)))
                return Problem(400, "Invalid field", $"This server preprocesses with '{identifier.Options.Preprocessing}'; start another with --preprocess to serve a different preset.", "preprocess");

            IReadOnlyList<DialectPrediction> predictions;
            try
            {
                predictions = await batcher.PredictAsync(texts, context.RequestAborted);
            }
            catch (QueueFullException)
            {
                context.Response.Headers.RetryAfter = "1";
                return Problem(503, "Busy", $"More than {options.MaxQueuedTexts} texts are waiting; retry shortly.");
            }
            var results = predictions.Select(p => Result(p, identifier, threshold, topK, subset)).ToArray();
            return Results.Json(new { results }, context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.SerializerOptions);
        }
    }

    private static object Result(DialectPrediction p, DialectIdentifier identifier, float? threshold, int topK, HashSet<Dialect>? subset)
    {
        var dialects = Dialects.All.Where(d => subset is null || subset.Contains(d)).ToArray();
        float Threshold(Dialect d) => threshold ?? identifier.Options.ThresholdFor(d);
        return new
        {
            text = p.Text,
            probabilities = dialects.ToDictionary(d => d.Label(), d => p.Probabilities[(int)d]),
            dialects = dialects.Where(d => p.Probabilities[(int)d] >= Threshold(d)).OrderByDescending(d => p.Probabilities[(int)d]).ThenBy(d => d)
                .Select(d => new { dialect = d.Label(), probability = p.Probabilities[(int)d] }),
            top = dialects.OrderByDescending(d => p.Probabilities[(int)d]).ThenBy(d => d).Take(topK)
                .Select(d => new { dialect = d.Label(), probability = p.Probabilities[(int)d] }),
            regions = Dialects.Regions.ToDictionary(r => r.EnglishName(), r => p.Regions[(int)r]),
        };
    }
}
