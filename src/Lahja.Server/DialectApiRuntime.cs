using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Lahja.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lahja.Server;

/// <summary>
/// What the API's routes and the health check share in one app: the options, the metrics, and the model, loaded once
/// on first need from the <see cref="DialectIdentifier"/> that <c>services.AddDialectIdentifier(…)</c> registered, with
/// the batcher over it. A failed load is logged and tried again on the next need.
/// </summary>
/// <remarks>
/// One per service provider, kept beside it rather than registered in it: the one-line mapping runs after the
/// container is built, when nothing can be added to it, and the mapping and the health check must share one batcher.
/// </remarks>
internal sealed class DialectApiRuntime : IAsyncDisposable
{
    /// <summary>The log category of model loading.</summary>
    public const string ModelLogCategory = "Lahja.Server.Model";

    /// <summary>The log category of requests that failed (4xx, 5xx).</summary>
    public const string RequestLogCategory = "Lahja.Server.Requests";

    /// <summary>What predicting proves a model answers, once (<see cref="EnsureAnswersAsync"/>): a short Arabic text.</summary>
    private const string Probe = "كيف حالك";

    private static readonly ConditionalWeakTable<IServiceScopeFactory, DialectApiRuntime> Shared = [];

    private readonly IServiceProvider _services;
    private readonly ILogger _modelLog;
    private readonly ILogger _requestLog;
    private readonly Lock _gate = new();
    private Task<LoadedApi>? _loading;
    private bool _disposed;
    private volatile LoadedApi? _answered;

    private DialectApiRuntime(IServiceProvider services)
    {
        _services = services;
        Options = services.GetService<IOptions<DialectApiOptions>>()?.Value ?? new DialectApiOptions();
        Options.Validate();
        var logs = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        _modelLog = logs.CreateLogger(ModelLogCategory);
        _requestLog = logs.CreateLogger(RequestLogCategory);
        Metrics = new ServerMetrics(services.GetRequiredService<IMeterFactory>(), () => Loaded?.Batcher);
        if (services.GetService<IHostApplicationLifetime>() is { } lifetime)
        {
            // Stopping: the server waits for the requests in flight; the batcher stops waiting for company so they
            // finish now. Stopped: the batcher goes (the container disposes the identifier after it).
            lifetime.ApplicationStopping.Register(() => Loaded?.Batcher.StopWaiting());
            lifetime.ApplicationStopped.Register(() => DisposeAsync().AsTask().GetAwaiter().GetResult());
        }
    }

    /// <summary>The app's runtime, made on first use, whether <paramref name="services"/> is the app's provider or a scope of it.</summary>
    public static DialectApiRuntime For(IServiceProvider services)
    {
        // Every scope of a container gives the same scope factory (in Microsoft's container, the root scope), so the
        // mapping (given the app's provider) and a health check (given a scope's) find the same runtime.
        var root = services.GetRequiredService<IServiceScopeFactory>();
        return Shared.GetValue(root, r => new DialectApiRuntime(r as IServiceProvider ?? r.CreateScope().ServiceProvider));
    }

    public DialectApiOptions Options { get; }

    public ServerMetrics Metrics { get; }

    /// <summary>The loaded API, or null while the model is not (yet) loaded.</summary>
    public LoadedApi? Loaded => _loading is { IsCompletedSuccessfully: true } loading ? loading.Result : null;

    /// <summary>The loaded API, loading the model first if needed (on a pool thread, so a request only waits for it).</summary>
    /// <exception cref="Exception">The model could not be loaded: the load's own exception, with a message that says why.</exception>
    public Task<LoadedApi> LoadAsync(CancellationToken cancellationToken = default)
    {
        Task<LoadedApi> loading;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loading is null || _loading.IsFaulted || _loading.IsCanceled) _loading = Task.Run(Load, CancellationToken.None);
            loading = _loading;
        }
        return loading.WaitAsync(cancellationToken);
    }

    /// <summary>The loaded API, or null when the model cannot be loaded (logged by the load); what the routes answer with 503.</summary>
    public async Task<LoadedApi?> TryLoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await LoadAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// The loaded API once its model has answered a prediction; the first call predicts, later ones only load: a model
    /// that has answered keeps answering. The probe goes to the identifier, not the batcher, so that the request
    /// metrics count requests only.
    /// </summary>
    public async Task<LoadedApi> EnsureAnswersAsync(CancellationToken cancellationToken)
    {
        var api = await LoadAsync(cancellationToken);
        if (_answered == api) return api;
        await Task.Run(() => api.Identifier.Predict(Probe), cancellationToken);
        _answered = api;
        return api;
    }

    private LoadedApi Load()
    {
        var started = Stopwatch.GetTimestamp();
        _modelLog.LogInformation("Loading the dialect identification model.");
        DialectIdentifier identifier;
        BatchPlanner planner;
        try
        {
            identifier = _services.GetRequiredService<DialectIdentifier>();
            // The pool gathers texts of any lengths: cut by cost, short texts with one long one run as two passes
            // instead of one padded to the long text (bench/server_bench.sh measures the difference).
            planner = Options.Planner ?? BatchPlanner.CostBased(identifier.Options, identifier.MeasurePassOverheadTokens());
        }
        catch (Exception e)
        {
            // The message says what is wrong (a missing file, a bad config); the stack would only say where it was found.
            _modelLog.LogError("The dialect identification model could not be loaded: {Reason}", e.Message);
            throw;
        }
        var batcher = new MicroBatcher(identifier, Options.MaxPoolTexts,
            Options.MaxWaitMilliseconds is { } wait ? TimeSpan.FromMilliseconds(wait) : null, Options.MaxQueuedTexts, planner);
        var loaded = new LoadedApi(identifier, batcher, Describe(identifier, Options, batcher));
        if (_modelLog.IsEnabled(LogLevel.Information))
            _modelLog.LogInformation("Loaded the dialect identification model {Directory} in {Milliseconds:0} ms.",
                identifier.ModelDirectory, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return loaded;
    }

    /// <summary>
    /// Runs a prediction route's handler: counts and times it, logs a failed answer (4xx and 503/504 as information,
    /// an exception as an error, once) and answers an exception with a 500 problem that shows nothing of it.
    /// </summary>
    public Func<HttpContext, Task<IResult>> Observed(Func<HttpContext, Task<IResult>> handle) => async context =>
    {
        var started = Stopwatch.GetTimestamp();
        IResult result;
        try
        {
            result = await handle(context);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            _requestLog.LogError(e, "{Method} {Path} failed (trace id {TraceId}).", context.Request.Method, context.Request.Path.Value, context.TraceIdentifier);
            result = InternalError(context);
        }
        Metrics.Observe(Stopwatch.GetElapsedTime(started));
        if (result is IStatusCodeHttpResult { StatusCode: >= 400 and var status } && _requestLog.IsEnabled(LogLevel.Information))
        {
            var reason = result switch
            {
                IValueHttpResult<ProblemDetails> problem => problem.Value?.Detail,
                IValueHttpResult<TeiError> tei => tei.Value?.Error,
                IValueHttpResult<InferenceError> inference => inference.Value?.Error,
                _ => null,
            };
            _requestLog.LogInformation("{Method} {Path} answered {Status}: {Reason}", context.Request.Method, context.Request.Path.Value, status, reason);
        }
        return result;
    };

    /// <summary>The answer to a request that failed inside the server: a 500 problem naming the trace id the log has.</summary>
    public static IResult InternalError(HttpContext context) => ApiResults.Problem(500, "Internal server error",
        $"The server failed to answer this request (trace id {context.TraceIdentifier}); the server log has the details.");

    private static ModelDescription Describe(DialectIdentifier identifier, DialectApiOptions options, MicroBatcher batcher)
    {
        var directory = identifier.ModelDirectory;
        return new ModelDescription(
            directory, Lahja.Checkpoints.CheckpointFiles.WeightsSha256(directory), identifier.Labels.Description, identifier.Options.Threshold ?? DialectIdentifierOptions.DefaultThreshold,
            identifier.Options.DialectThresholds?.ToDictionary(p => p.Key.Label(), p => p.Value), identifier.Options.RelativeThreshold ?? 0,
            identifier.Options.Preprocessing, TextPreprocessor.PresetNames, identifier.MaxLength,
            [.. Dialects.Table.Select(d => d.Label)],
            new RequestLimits(options.MaxTextsPerRequest, options.MaxCharactersPerText, options.MaxBodyBytes, (long)options.RequestTimeout.TotalMilliseconds),
            new BatchingDescription(batcher.MaxPoolTexts, batcher.MaxPoolTexts, batcher.Planner.MaxBatchSize, batcher.Planner.MaxBatchTokens, batcher.Planner.PassOverheadTokens,
                batcher.MaxWait is { } wait ? (long)wait.TotalMilliseconds : null),
            Lahja.Checkpoints.LahjaSettings.Load(directory)?.Description);
    }

    public async ValueTask DisposeAsync()
    {
        Task<LoadedApi>? loading;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            loading = _loading;
        }
        if (loading is null) return;
        try
        {
            await (await loading).Batcher.DisposeAsync();
        }
        catch (Exception) when (!loading.IsCompletedSuccessfully)
        {
            // It never loaded: nothing to stop.
        }
    }
}
