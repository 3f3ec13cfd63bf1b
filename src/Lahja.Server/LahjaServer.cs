using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lahja.Batching;
using Lahja.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Lahja.Server;

/// <summary>Settings of the service.</summary>
public sealed record ServerOptions
{
    private static readonly DialectApiOptions ApiDefaults = new();

    /// <summary>The model: directory or Hub id (null: $LAHJA_MODEL, then the bundled model).</summary>
    public string? Model { get; init; }
    /// <summary>Addresses to listen on.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5000";
    /// <summary>Most texts in one request.</summary>
    public int MaxTextsPerRequest { get; init; } = ApiDefaults.MaxTextsPerRequest;
    /// <summary>Most characters in one text.</summary>
    public int MaxCharactersPerText { get; init; } = ApiDefaults.MaxCharactersPerText;
    /// <summary>Largest request body in bytes.</summary>
    public long MaxBodyBytes { get; init; } = ApiDefaults.MaxBodyBytes;
    /// <summary>
    /// Most texts of concurrent requests in the pool that forward passes are chosen from (<c>--max-pool-texts</c>); a
    /// pass holds at most <see cref="DialectIdentifierOptions.BatchSize"/> of them.
    /// </summary>
    public int MaxPoolTexts { get; init; } = ApiDefaults.MaxPoolTexts;
    /// <summary>The first name of <see cref="MaxPoolTexts"/> ("batch" there meant the pool; elsewhere it means a pass).</summary>
    public int MaxBatchTexts { get => MaxPoolTexts; init => MaxPoolTexts = value; }
    /// <summary>
    /// Longest wait, in milliseconds, for more requests to join a pass; null (default): automatic — wait for as many
    /// requests as the last pass answered, at most a tenth of its time and 100 ms (see <see cref="PassScheduler"/>).
    /// </summary>
    public int? MaxWaitMilliseconds { get; init; }
    /// <summary>
    /// How the pool is cut into forward passes of at most <see cref="DialectIdentifierOptions.BatchSize"/> texts:
    /// null (default) measures the pass overhead at start (<see cref="DialectIdentifier.MeasurePassOverheadTokens"/>)
    /// and cuts by cost (<see cref="BatchPlanner.CostBased(int, double, int?)"/>); a planner given here is used as it is.
    /// </summary>
    public BatchPlanner? Planner { get; init; }
    /// <summary>Most texts waiting before requests get 503 with Retry-After.</summary>
    public int MaxQueuedTexts { get; init; } = ApiDefaults.MaxQueuedTexts;
    /// <summary>How long one identify request may take, body reading included, before it is answered 504.</summary>
    public TimeSpan RequestTimeout { get; init; } = ApiDefaults.RequestTimeout;
    /// <summary>How long a stop waits for in-flight requests to finish.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// When set, every <c>/v1/*</c> request must carry <c>Authorization: Bearer</c> with this key (401 otherwise).
    /// The web page, the docs, health and metrics stay open.
    /// </summary>
    public string? ApiKey { get; init; }
    /// <summary>Origins allowed to call the API from a browser (CORS); empty: same origin only.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];
    /// <summary>The folder of the web page; null: <c>wwwroot</c> beside this assembly.</summary>
    public string? WebRoot { get; init; }
    /// <summary>Options of the identifier (threshold, batch size, preprocessing, threads).</summary>
    public DialectIdentifierOptions Identifier { get; init; } = new();

    /// <summary>The limits and batching of the API routes, as an app that maps them sets them.</summary>
    internal DialectApiOptions ToApiOptions() => new()
    {
        MaxTextsPerRequest = MaxTextsPerRequest,
        MaxCharactersPerText = MaxCharactersPerText,
        MaxBodyBytes = MaxBodyBytes,
        MaxPoolTexts = MaxPoolTexts,
        MaxWaitMilliseconds = MaxWaitMilliseconds,
        Planner = Planner,
        MaxQueuedTexts = MaxQueuedTexts,
        RequestTimeout = RequestTimeout,
    };
}

/// <summary>
/// The HTTP service: <c>POST /v1/identify</c>, <c>GET /v1/dialects</c>, <c>GET /v1/model</c>, <c>GET /healthz</c>,
/// <c>GET /readyz</c>, <c>GET /metrics</c>, the OpenAPI document at <c>/openapi/v1.json</c> with its docs page at
/// <c>/docs/</c>, and the web page at <c>/</c>. Bad input is answered with 400/413/415 and an RFC 7807 problem naming
/// the field, never a 500; every other 4xx/5xx (404, 405, an unexpected failure's 500) is a problem too.
/// </summary>
public static class LahjaServer
{
    /// <summary>Loads the model and builds the application (not started).</summary>
    public static WebApplication Build(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ApiKey is { Length: 0 }) throw new ArgumentException("The API key is empty.", nameof(options));
        // Before the model loads: a bad address is found in a moment, not after the load.
        if (UrlsProblem(options.Urls) is { } problem) throw new ArgumentException($"Urls: {problem}", nameof(options));
        var apiOptions = options.ToApiOptions();
        apiOptions.Validate();
        // Loaded now, not on the first request: a model that cannot load stops the start with its error.
        var identifier = DialectIdentifier.Load(ModelLocator.Resolve(options.Model), options.Identifier);
        var webRoot = options.WebRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Directory.Exists(webRoot) ? webRoot : null,
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        // A stop lets requests already running finish (Kestrel stops accepting first), up to this long.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A failed start (port in use, …) is reported once, clearly, by the caller; not as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddProblemDetails();
        // Metrics: ServerMetrics' meter comes from this host's IMeterFactory and only this host's meters are enabled
        // (MeterScope.Local), so servers sharing a process (the tests') keep their counts apart. The exporter writes
        // Prometheus' text format without per-series scope labels or target_info, and caches nothing.
        builder.Services.AddMetrics();
        builder.Metrics.EnableMetrics(ServerMetrics.MeterName, scopes: MeterScope.Local);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter(exporter =>
        {
            exporter.ScrapeResponseCacheDurationMilliseconds = 0;
            exporter.ScopeInfoEnabled = false;
            exporter.TargetInfoEnabled = false;
        }));
        // The API routes (MapDialectIdentification) and this host's probes answer with their own JSON options; the
        // host's are set alike for the OpenAPI document's schemas and for the probes.
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Lahja", Version = "v1",
                Description = "Multi-label Arabic dialect identification (18 NADI countries). Errors are RFC 7807 problem JSON naming the field.",
            };
            if (options.ApiKey is not null)
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "The server's API key (lahja serve --api-key-env).",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            }
            return Task.CompletedTask;
        }));
        // The identifier as an app's AddDialectIdentifier registers it (the container disposes it after the batcher),
        // the API's limits, and the readiness check, which the mapped API shares.
        builder.Services.AddSingleton(_ => identifier);
        builder.Services.AddSingleton(Options.Create(apiOptions));
        builder.Services.AddHealthChecks().AddDialectIdentifier();
        if (options.CorsOrigins.Count > 0)
            builder.Services.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins([.. options.CorsOrigins])
                .WithMethods("GET", "POST").WithHeaders("Authorization", "Content-Type")));

        var app = builder.Build();
        var runtime = DialectApiRuntime.For(app.Services);
        var api = runtime.LoadAsync().GetAwaiter().GetResult();
        var interop = new InteropEndpoints(identifier, api.Batcher, apiOptions, TeiInfo(api.Description, identifier, options, api.Batcher));

        // Every failure is a problem with a body: an exception (a bug, a broken model) is logged once, by the prediction
        // routes themselves (DialectApiRuntime.Observed) or else by this middleware, and the client gets a 500 problem
        // without the exception's text or stack; statuses the framework answers without a body (404, 405, 415 from
        // routing) get one here.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context => DialectApiRuntime.InternalError(context).ExecuteAsync(context),
        });
        app.UseStatusCodePages(context => StatusProblem(context.HttpContext).ExecuteAsync(context.HttpContext));
        // Routing would match "/docs/" to a "/docs" route too, so the folder's canonical address is set here.
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value != "/docs") return next(context);
            context.Response.Redirect("/docs/");
            return Task.CompletedTask;
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        // Routing after the static files: the Inference API's POST / route would otherwise answer GET / (the page) 405.
        app.UseRouting();
        if (options.CorsOrigins.Count > 0) app.UseCors();
        if (options.ApiKey is not null) app.Use(RequireApiKey(options.ApiKey));

        app.MapGet("/healthz", () => Results.Ok(new { status = "alive" })).WithTags("health");
        // Ready: the health checks (the model's) pass; the answer keeps its first shape, and a failure is a problem.
        app.MapGet("/readyz", (Func<HttpContext, Task<IResult>>)(async context => Readiness(
                await context.RequestServices.GetRequiredService<HealthCheckService>().CheckHealthAsync(context.RequestAborted), identifier.ModelDirectory)))
            .WithSummary("Ready to answer: the model is loaded and predicts (the health checks pass).")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status503ServiceUnavailable).WithTags("health");
        var v1 = app.MapDialectIdentification();
        if (options.ApiKey is not null) v1.ProducesProblem(StatusCodes.Status401Unauthorized);
        MapInterop(app, interop, runtime);
        // OpenTelemetry's exporter answers the scrape; the route is declared here so that it is a GET, in the OpenAPI
        // document, beside the other probes.
        var scrape = ((IApplicationBuilder)app).New().UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null).Build();
        app.MapGet("/metrics", (Func<HttpContext, Task<IResult>>)(async context =>
            {
                await scrape(context);
                return Results.Empty;
            }))
            .WithSummary("Prometheus metrics: requests, latency, forward passes, texts, queue length, model busy time.")
            .Produces<string>(contentType: "text/plain").WithTags("health");
        app.MapOpenApi();
        return app;
    }

    /// <summary>TEI's <c>POST /predict</c> and <c>GET /info</c>, and the Inference API's <c>POST /</c> (<c>GET /</c> stays the web page).</summary>
    private static void MapInterop(WebApplication app, InteropEndpoints interop, DialectApiRuntime runtime)
    {
        app.MapPost("/predict", runtime.Observed(interop.Predict))
            .WithSummary("Hugging Face Text Embeddings Inference's predict: every dialect's score, highest first.")
            .WithDescription("`inputs`: a string (answer: one list) or a batch `[[\"a\"], [\"b\"]]` (answer: a list per text). Scores are the model's sigmoid probabilities, not TEI's softmax; `raw_scores: true` gives logits, log(p / (1 − p)). `truncate: false` (default) refuses a text longer than the model's maximum length. Errors: `{\"error\", \"error_type\"}` as TEI's.")
            .Accepts<TeiPredictRequest>("application/json")
            .Produces<LabelScore[][]>()
            .Produces<TeiError>(StatusCodes.Status413PayloadTooLarge).Produces<TeiError>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<TeiError>(StatusCodes.Status422UnprocessableEntity)
            .Produces<TeiError>(StatusCodes.Status429TooManyRequests).Produces<TeiError>(StatusCodes.Status504GatewayTimeout)
            .WithTags("tei");
        app.MapGet("/info", () => Results.Ok(interop.Info))
            .WithSummary("Hugging Face Text Embeddings Inference's info: the model and the limits.").Produces<TeiInfo>().WithTags("tei");
        app.MapPost("/", runtime.Observed(interop.Classify))
            .WithSummary("Hugging Face Inference API text classification, as @huggingface/inference's textClassification calls an endpoint.")
            .WithDescription("`{\"inputs\": text or [texts], \"parameters\": {\"top_k\", \"function_to_apply\"}}` → a list of `{label, score}` per text, highest first (all 18 unless `top_k`). `function_to_apply`: `sigmoid` (the model's probabilities, default), `softmax` (over the logits) or `none` (logits). Errors: `{\"error\"}`.")
            .Accepts<InferenceRequest>("application/json")
            .Produces<LabelScore[][]>()
            .Produces<InferenceError>(StatusCodes.Status400BadRequest).Produces<InferenceError>(StatusCodes.Status413PayloadTooLarge)
            .Produces<InferenceError>(StatusCodes.Status415UnsupportedMediaType).Produces<InferenceError>(StatusCodes.Status429TooManyRequests)
            .WithTags("inference-api");
    }

    /// <summary>
    /// /readyz's answer: <c>{"status": "ready", "model": directory}</c> when healthy (its shape before health checks), else a
    /// 503 problem with each failing check's description (the load error's message, no stack trace).
    /// </summary>
    private static IResult Readiness(HealthReport report, string directory) => report.Status == HealthStatus.Unhealthy
        ? ApiResults.Problem(StatusCodes.Status503ServiceUnavailable, "Not ready",
            string.Join(" ", report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => $"{e.Key}: {e.Value.Description}")))
        : ApiResults.Json(new { status = "ready", model = directory });

    private static TeiInfo TeiInfo(ModelDescription model, DialectIdentifier identifier, ServerOptions options, MicroBatcher batcher) => new(
        model.Directory, model.Weights, "float32",
        new TeiModelType(new TeiClassifier(
            Dialects.All.ToDictionary(d => ((int)d).ToString(System.Globalization.CultureInfo.InvariantCulture), d => d.Label()),
            Dialects.All.ToDictionary(d => d.Label(), d => (int)d))),
        options.MaxQueuedTexts, identifier.MaxLength, batcher.MaxPoolTexts * identifier.MaxLength, batcher.MaxPoolTexts,
        options.MaxTextsPerRequest, AutoTruncate: false, TokenizationWorkers: Environment.ProcessorCount,
        typeof(LahjaServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0", Sha: null, DockerLabel: null);

    /// <summary>
    /// Why <paramref name="urls"/> (addresses separated by ';', as ASP.NET Core takes them) cannot be listened on, or
    /// null when each is an http or https URL with a valid port.
    /// </summary>
    public static string? UrlsProblem(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var addresses = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (addresses.Length == 0) return "no address given; give one such as http://127.0.0.1:5000.";
        foreach (var text in addresses)
        {
            var example = text.All(char.IsAsciiDigit) ? $"http://127.0.0.1:{text}" : "http://127.0.0.1:5000";
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(text);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                return $"'{text}' is not an address; give a URL such as {example}.";
            }
            if (address.Scheme is not ("http" or "https")) return $"'{text}': the scheme must be http or https, as in {example}.";
            if (address.Port is < 0 or > 65535) return $"'{text}': the port must be between 0 and 65535.";
            if (address.Host.Length == 0) return $"'{text}' has no host; give a URL such as {example}.";
        }
        return null;
    }

    /// <summary>
    /// Starts <paramref name="app"/> and returns the addresses it listens on, with the ports the system chose for port
    /// 0. A failed bind (port in use, no permission) throws <see cref="IOException"/> naming the address.
    /// </summary>
    public static async Task<IReadOnlyList<string>> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync(cancellationToken);
        return [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
    }

    /// <summary>
    /// Refuses <c>/v1/*</c> requests without the key. Both sides are hashed before comparing so the comparison takes
    /// the same time whatever the key's length and however much of it a guess gets right.
    /// </summary>
    private static Func<HttpContext, RequestDelegate, Task> RequireApiKey(string key)
    {
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return (context, next) =>
        {
            if (!IsApi(context.Request)) return next(context);
            var header = context.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
            if (given is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), expected))
                return next(context);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiResults.Problem(401, "Unauthorized", given is null ? "Send the API key as 'Authorization: Bearer KEY'." : "The API key is wrong.", "Authorization")
                .ExecuteAsync(context);
        };
    }

    /// <summary>The routes the API key guards: /v1/*, TEI's and the Inference API's (POST /); not the page, docs or probes.</summary>
    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/v1") || request.Path.StartsWithSegments("/predict") || request.Path.StartsWithSegments("/info")
        || (request.Path.Value == "/" && HttpMethods.IsPost(request.Method));

    /// <summary>The problem for a status the framework set without a body (no route, wrong method, wrong media type).</summary>
    private static IResult StatusProblem(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var path = context.Request.Path.Value;
        // TEI's and the Inference API's clients read their own error shapes.
        if (path == "/predict" && status == 415)
            return InteropEndpoints.TeiError(status, $"{path} takes application/json, not {context.Request.ContentType}.", "validation");
        if (path == "/" && HttpMethods.IsPost(context.Request.Method) && status == 415)
            return InteropEndpoints.InferenceError(status, $"{path} takes application/json, not {context.Request.ContentType}.");
        var detail = status switch
        {
            404 => $"Nothing is at {path}. The API: POST /v1/identify, GET /v1/dialects, GET /v1/model; TEI's POST /predict and GET /info; the Inference API's POST /; its docs are at /docs/.",
            405 => $"{context.Request.Method} is not allowed on {path}; allowed: {context.Response.Headers.Allow}.",
            415 => $"{path} takes application/json, not {context.Request.ContentType}.",
            _ => $"{ReasonPhrases.GetReasonPhrase(status)} ({path}).",
        };
        return ApiResults.Problem(status, ReasonPhrases.GetReasonPhrase(status), detail);
    }
}
