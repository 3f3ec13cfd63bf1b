using System.CommandLine;
using Lahja.Cli.Commands.Shared;
using Lahja.Server;
using Microsoft.Extensions.Hosting;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja serve [--model M] [--urls URL]</c>: the HTTP API and the web page.</summary>
internal static class ServeCommand
{
    public static Command Create(CliIO io)
    {
        var defaults = new ServerOptions();
        var model = ModelOption.Create();
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on.", DefaultValueFactory = _ => defaults.Urls };
        var settings = new IdentifierSettings
        {
            Threshold = CommonOptions.Threshold("Default threshold (else the model's lahja.json, else {0})."),
            RelativeThreshold = CommonOptions.RelativeThreshold("Default relative threshold: a dialect also needs this fraction of the top dialect's probability (else the model's lahja.json, else 0: off)."),
            Preprocessing = CommonOptions.Preset(),
            BatchSize = CommonOptions.BatchSize("Most texts per forward pass."),
            MaxBatchTokens = CommonOptions.MaxBatchTokens(),
            Threads = CommonOptions.Threads(),
            MaxLength = CommonOptions.ModelMaxLength(),
            Engine = true,
        };
        var passOverhead = new Option<string>("--pass-overhead-tokens")
        {
            Description = "How a model batch is cut into forward passes: 'auto' measures a pass's fixed cost at start and cuts mixed lengths where that saves time, "
                + "a number gives that cost in tokens, 'fixed' cuts every --batch-size texts.",
            DefaultValueFactory = _ => "auto",
        };
        var maxTexts = new Option<int>("--max-texts") { Description = "Most texts per request.", DefaultValueFactory = _ => defaults.MaxTextsPerRequest };
        var maxChars = new Option<int>("--max-chars") { Description = "Most characters per text.", DefaultValueFactory = _ => defaults.MaxCharactersPerText };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body in bytes.", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var timeout = new Option<int>("--request-timeout-ms")
        {
            Description = "How long an identify request may take before it gets 504.", DefaultValueFactory = _ => (int)defaults.RequestTimeout.TotalMilliseconds,
        };
        var maxWait = new Option<int?>("--max-wait-ms")
        {
            Description = "Wait before a forward pass: a fixed wait, in ms, for more requests to join (default: automatic, for as many clients as the last pass "
                + "answered, at most a tenth of the last pass's time and 100 ms).",
        };
        // --max-batch-texts is the first name: "batch" there meant the pool, where --batch-size means a pass.
        var maxBatch = new Option<int>("--max-pool-texts", "--max-batch-texts")
        {
            Description = "Most texts of concurrent requests in the pool that forward passes (of at most --batch-size texts) are chosen from.",
            DefaultValueFactory = _ => defaults.MaxPoolTexts,
        };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Name of an environment variable holding an API key: /v1/* then needs 'Authorization: Bearer KEY'." };
        var cors = new Option<string[]>("--cors-origin") { Description = "An origin allowed to call the API from a browser (repeatable).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("serve", "Serve the JSON API (POST /v1/identify, GET /v1/dialects, /v1/model, /healthz, /readyz, /metrics), its docs (/docs/) and the web page (/).")
        {
            model, urls, passOverhead, maxTexts, maxChars, maxBody, timeout, maxWait, maxBatch, apiKeyEnv, cors,
        };
        settings.AddTo(command);
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            string? apiKey = null;
            if (parse.GetValue(apiKeyEnv) is { } name)
            {
                // The key comes from the environment, not the command line, so it stays out of `ps` and shell history.
                apiKey = Environment.GetEnvironmentVariable(name);
                if (string.IsNullOrEmpty(apiKey)) throw new UsageException($"--api-key-env {name}: the environment variable is not set or empty.");
            }
            var identifierOptions = settings.Bind(parse);
            // Checked here as well as by the library: the planner below is built from it before the model loads (the
            // token budget is checked by its parser).
            if (identifierOptions.BatchSize < 1) throw new UsageException("--batch-size must be at least 1.");
            if (parse.GetValue(maxBatch) < 1) throw new UsageException("--max-pool-texts must be at least 1.");
            if (parse.GetValue(maxWait) < 0) throw new UsageException("--max-wait-ms must be 0 or more.");
            if (LahjaServer.UrlsProblem(parse.GetValue(urls)!) is { } urlsProblem) throw new UsageException($"--urls: {urlsProblem}");
            var planning = parse.GetValue(passOverhead)!;
            BatchPlanner? planner = planning switch
            {
                "auto" => null,
                "fixed" => BatchPlanner.Fixed(identifierOptions),
                _ when double.TryParse(planning, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var tokens)
                       && tokens >= 0 && double.IsFinite(tokens) => BatchPlanner.CostBased(identifierOptions, tokens),
                _ => throw new UsageException($"--pass-overhead-tokens: '{planning}' is not 'auto', 'fixed' or a number of tokens (0 or more)."),
            };
            // Resolved here, so the start-up line can name the model in use (its own line says what it is).
            var directory = ModelOption.Resolve(parse.GetValue(model), io, noteDefault: false);
            using var app = LahjaServer.Build(new ServerOptions
            {
                Model = directory,
                Urls = parse.GetValue(urls)!,
                MaxTextsPerRequest = parse.GetValue(maxTexts),
                MaxCharactersPerText = parse.GetValue(maxChars),
                MaxBodyBytes = parse.GetValue(maxBody),
                RequestTimeout = TimeSpan.FromMilliseconds(parse.GetValue(timeout)),
                MaxWaitMilliseconds = parse.GetValue(maxWait),
                MaxPoolTexts = parse.GetValue(maxBatch),
                Planner = planner,
                ApiKey = apiKey,
                CorsOrigins = parse.GetValue(cors) ?? [],
                Identifier = identifierOptions,
            });
            // Announced once listening: a port in use fails here, as one error (exit 1), before any announcement.
            var addresses = LahjaServer.StartAsync(app).GetAwaiter().GetResult();
            io.Error.WriteLine($"lahja: serving on {string.Join(", ", addresses)}: web page at /, API docs at /docs/ (Ctrl+C stops after in-flight requests)");
            io.Error.WriteLine($"lahja: model {directory}{(Checkpoints.LahjaSettings.Load(directory)?.Description is { } description ? ": " + description : "")}");
            app.WaitForShutdown();
            return 0;
        }));
        return command;
    }
}
