using System.CommandLine;
using System.Globalization;
using Lahja.Cli.Commands.Shared;
using Lahja.Distillation;
using Lahja.Distillation.Local;
using Lahja.Evaluation;

namespace Lahja.Cli.Commands;

/// <summary>
/// <c>lahja pseudo-label --input FILE --teacher SPEC --output FILE [...]</c>: multi-label training data from
/// single-label data, by one or more teachers (B2BERT's knowledge distillation).
/// </summary>
internal static class PseudoLabelCommand
{
    /// <summary>Exit code when stopped with Ctrl-C (answers so far are cached; the output is not written).</summary>
    public const int InterruptedExitCode = 130;

    public static Command Create(CliIO io)
    {
        var llmDefaults = new LlmTeacherOptions { Model = "" }; // read for its defaults only
        var localDefaults = new LocalTeacherOptions();
        var input = new Option<FileSystemInfo[]>("--input", "-i") { Description = "Data to label: any dataset the project reads (NADI TSVs, multi-label tables, JSONL) or plain text (.txt, one per line); a folder means all its .tsv/.csv/.jsonl/.txt files. Repeatable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var teacher = new Option<string[]>("--teacher", "-t") { Description = "openai:MODEL (an OpenAI-compatible server), local (n-gram classifiers trained on the input, cross-fitted), local:DIR (a saved one), model:DIR_OR_HUB_ID (a dialect model). Repeatable: teachers vote.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "The labelled data (.tsv, .csv or .jsonl), written atomically when every row is done." };
        var cache = new Option<FileInfo?>("--cache") { Description = $"Answer cache of the LLM teacher (SQLite; default {AnswerCache.DefaultPath})." };
        var includeGold = new Option<bool>("--include-gold") { Description = "The original country is always valid." };
        var vote = new Option<string>("--vote") { Description = "How several teachers combine.", DefaultValueFactory = _ => "majority" };
        vote.AcceptOnlyFromAmong("any", "majority", "all");
        var concurrency = new Option<int>("--concurrency") { Description = "LLM requests in flight at most.", DefaultValueFactory = _ => llmDefaults.Concurrency };
        var limit = new Option<int?>("--limit") { Description = "Label only the first N rows." };
        var baseUrl = new Option<string?>("--base-url") { Description = "The OpenAI-compatible server (…/v1): vLLM, llama.cpp, Ollama, Azure OpenAI. Default: OpenAI." };
        var apiKeyEnv = new Option<string>("--api-key-env") { Description = "Environment variable holding the API key.", DefaultValueFactory = _ => "OPENAI_API_KEY" };
        var rpm = new Option<int?>("--requests-per-minute") { Description = "Client-side request rate limit." };
        var tpm = new Option<int?>("--tokens-per-minute") { Description = "Client-side token rate limit (estimated before sending)." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds allowed per request.", DefaultValueFactory = _ => llmDefaults.RequestTimeout.TotalSeconds };
        var attempts = new Option<int>("--max-attempts") { Description = "Attempts per row before it is recorded as failed.", DefaultValueFactory = _ => llmDefaults.MaxAttempts };
        var structured = new Option<string>("--structured-output") { Description = "JSON-schema structured output: auto (falls back when refused), json-schema, none.", DefaultValueFactory = _ => "auto" };
        structured.AcceptOnlyFromAmong("auto", "json-schema", "none");
        var temperature = new Option<float>("--temperature") { Description = "LLM sampling temperature.", DefaultValueFactory = _ => llmDefaults.Temperature };
        var retryFailed = new Option<bool>("--retry-failed") { Description = "Ask again rows whose failure is cached." };
        var priceIn = new Option<double?>("--price-in") { Description = "Price per million input tokens, for the cost estimate." };
        var priceOut = new Option<double?>("--price-out") { Description = "Price per million output tokens, for the cost estimate." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the LLM prompt for the first rows, how many rows would be sent after the cache and an estimate of their tokens and cost, and exit without sending anything." };
        var saveTeacher = new Option<DirectoryInfo?>("--save-teacher") { Description = "With --teacher local: save the trained classifiers here (reuse with local:DIR)." };
        var relative = new Option<float?>("--relative-threshold")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"Local teacher: dialects whose probability is at least this fraction of the best one's are valid (default {localDefaults.RelativeThreshold}, or the saved teacher's)."),
        };
        var folds = new Option<int>("--folds") { Description = "Local teacher: cross-fitting folds.", DefaultValueFactory = _ => localDefaults.Folds };
        var threads = CommonOptions.Threads("CPU threads (local and model teachers).");
        var seed = CommonOptions.Seed(localDefaults.Seed);
        var shard = Shard.CreateOption("ranges of the rows (all inputs in order, after --limit)");
        var command = new Command("pseudo-label", "Turn single-label data into multi-label training data with teachers: an LLM, local n-gram classifiers, or a dialect model.")
        {
            input, teacher, output, cache, includeGold, vote, concurrency, limit, baseUrl, apiKeyEnv, rpm, tpm, timeout, attempts, structured, temperature,
            retryFailed, priceIn, priceOut, dryRun, saveTeacher, relative, folds, seed, shard,
        };
        var modelTeachers = new IdentifierSettings { Threads = threads, Engine = true };
        modelTeachers.AddTo(command);

        // The LLM teacher's settings: checked only when a spec names an LLM, so they never get in the way of the others.
        LlmTeacherOptions LlmOptions(ParseResult parse, string model, bool dry)
        {
            Uri? url = null;
            if (parse.GetValue(baseUrl) is { } b && !Uri.TryCreate(b, UriKind.Absolute, out url))
                throw new UsageException($"--base-url '{b}' is not an absolute URL.");
            var keyVariable = parse.GetValue(apiKeyEnv)!;
            var key = Environment.GetEnvironmentVariable(keyVariable);
            if (string.IsNullOrEmpty(key) && url is null && !dry)
                throw new UsageException($"the OpenAI API needs a key in ${keyVariable} (or give --base-url for a server that needs none).");
            return new LlmTeacherOptions
            {
                Model = model, BaseUrl = url, ApiKey = key, Concurrency = Positive(parse.GetValue(concurrency), "--concurrency"),
                RequestsPerMinute = parse.GetValue(rpm), TokensPerMinute = parse.GetValue(tpm),
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout) is > 0 and var t ? t : throw new UsageException("--timeout must be positive.")),
                MaxAttempts = Positive(parse.GetValue(attempts), "--max-attempts"), Temperature = parse.GetValue(temperature),
                StructuredOutput = parse.GetValue(structured) switch { "json-schema" => StructuredOutput.JsonSchema, "none" => StructuredOutput.None, _ => StructuredOutput.Auto },
                RetryFailed = parse.GetValue(retryFailed), Seed = parse.GetValue(seed),
            };
        }

        TeacherFactoryOptions Teachers(ParseResult parse, IReadOnlyList<TeacherSpec> specs, bool dry) => new()
        {
            Llm = model => LlmOptions(parse, model, dry),
            CachePath = parse.GetValue(cache)?.FullName ?? AnswerCache.DefaultPath,
            ExistingCacheOnly = dry,
            Local = new LocalTeacherOptions
            {
                Folds = parse.GetValue(folds), RelativeThreshold = parse.GetValue(relative) ?? localDefaults.RelativeThreshold, Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads) ?? localDefaults.Threads,
            },
            SavedLocalRelativeThreshold = parse.GetValue(relative),
            // Bound only for a model teacher: the engine options mean nothing to the others (and --engine torch needs libtorch).
            Model = specs.Any(s => s.Kind == TeacherKind.Model) ? modelTeachers.Bind(parse) : new DialectIdentifierOptions(),
            ResolveModel = model => ModelOption.Resolve(model, io),
            Log = line => io.Error.WriteLine($"lahja: {line}"),
        };

        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var specs = parse.GetValue(teacher)!.Select(ParseSpec).ToList();
            var rows = SourceRows.Read(parse.GetValue(input)!.Select(i => i.FullName), new SyncProgress<SourceFile>(file => ReportFile(io, file)));
            if (parse.GetValue(limit) is { } n) rows = rows.Take(Math.Max(0, n)).ToList();
            var part = Shard.From(parse.GetValue(shard));
            var firstPart = true;
            if (part is { } cut)
            {
                // A teacher trained on the input would learn from this shard only, and label differently.
                if (specs.Any(s => s.TrainsOnInput))
                    throw new UsageException("--shard cannot go with --teacher local (it trains on the input; train once with --save-teacher, then shard with local:DIR).");
                if (rows.Count == 0) throw new InvalidDataException("the input has no rows.");
                var (start, end) = cut.Range(rows.Count, ModelTeacher.WindowTexts);
                rows = rows.GetRange((int)start, (int)(end - start));
                firstPart = start == 0;
                io.Error.WriteLine($"lahja: shard {cut.Index}/{cut.Count}: rows {start + 1:N0} to {end:N0}");
            }
            if (parse.GetValue(dryRun))
            {
                foreach (var row in rows.Take(3))
                {
                    io.Out.WriteLine($"# prompt {DialectPrompt.Version}, row {row.Id} ({row.Source})");
                    foreach (var message in LlmTeacher.Messages(row.Item.Text)) io.Out.WriteLine($"[{message.Role}]\n{message.Text}\n");
                }
                PrintPlans(io, specs, rows, () => new TeacherFactory(Teachers(parse, specs, dry: true)), parse.GetValue(priceIn), parse.GetValue(priceOut));
                return 0;
            }
            var outputFile = parse.GetValue(output)?.FullName ?? throw new UsageException("--output FILE is required (or --dry-run).");
            if (rows.Count == 0 && part is null) throw new InvalidDataException("the input has no rows.");
            if (parse.GetValue(saveTeacher) is not null && !specs.Any(s => s.TrainsOnInput))
                throw new UsageException("--save-teacher goes with --teacher local.");

            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (stop.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
                e.Cancel = true;
                io.Error.WriteLine("lahja: stopping: finishing the requests in flight (Ctrl-C again to quit now)…");
                stop.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            // Disposed after the teachers (in finally below), which use its answer cache.
            using var factory = new TeacherFactory(Teachers(parse, specs, dry: false));
            var teachers = new List<ITeacher>();
            try
            {
                foreach (var spec in specs) teachers.Add(factory.Create(spec));
                var results = new List<(ITeacher, TeacherAnswer?[])>();
                var items = rows.Select(r => r.Item).ToList();
                foreach (var t in teachers)
                {
                    io.Error.WriteLine($"lahja: {t.Name} ({t.Version}) labels {items.Count:N0} rows");
                    var progress = new TextsProgress(io.Error, items.Count);
                    var answers = t.LabelAsync(items, new SyncProgress<LabelingProgress>(p => progress.Report(p.Done)), stop.Token).GetAwaiter().GetResult();
                    results.Add((t, answers));
                    if (t is LocalTeacher local && local.TrainingSummary is { } summary) io.Error.WriteLine($"lahja: local teacher trained: {summary}");
                    if (t is LocalTeacher trained && parse.GetValue(saveTeacher) is { } dir)
                    {
                        trained.Save(dir.FullName);
                        io.Error.WriteLine($"lahja: local teacher saved in {dir.FullName} (reuse: --teacher local:{dir.FullName})");
                    }
                    if (stop.IsCancellationRequested) break;
                }
                var combinedVote = Enum.Parse<Vote>(parse.GetValue(vote)!, ignoreCase: true);
                PrintUsage(io, teachers, parse.GetValue(priceIn), parse.GetValue(priceOut));
                if (stop.IsCancellationRequested || results.Count < teachers.Count)
                {
                    io.Error.WriteLine("lahja: interrupted; every answer received is in the cache. Run the same command again to continue.");
                    return InterruptedExitCode;
                }
                var (labelled, failed, unanswered) = PseudoLabeler.Combine(rows, results, combinedVote, parse.GetValue(includeGold));
                if (unanswered > 0)
                {
                    io.Error.WriteLine($"lahja: {unanswered:N0} rows were not answered; run the same command again to continue.");
                    return InterruptedExitCode;
                }
                var replaced = PseudoLabelFile.Write(outputFile, labelled, header: firstPart);
                io.Error.WriteLine($"lahja: {labelled.Count:N0} rows written to {outputFile}" + (replaced > 0 ? $" ({replaced} texts had tabs or line breaks, written as spaces)" : ""));
                foreach (var (row, error, _) in failed.Take(10)) io.Error.WriteLine($"lahja: failed: {row.Source} id {row.Id}: {error}");
                var retryable = failed.Count(f => f.Retryable);
                if (failed.Count > retryable)
                    io.Error.WriteLine($"lahja: {failed.Count - retryable:N0} rows got no usable answer and are not in the output (recorded in the cache; --retry-failed asks again).");
                if (retryable > 0)
                    io.Error.WriteLine($"lahja: {retryable:N0} rows failed on errors or timeouts and are not in the output; run the same command again to ask for them.");
                PrintCardinalities(io, labelled);
                PrintQuality(io, rows, labelled);
                if (failed.Count == 0) return 0;
                io.Error.WriteLine($"lahja: {failed.Count:N0} of {rows.Count:N0} rows failed: exit code 1 (the {labelled.Count:N0} labelled rows are written).");
                return 1;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                foreach (var t in teachers) t.Dispose();
            }
        }));
        return command;
    }

    /// <exception cref="UsageException">Not a teacher spec.</exception>
    private static TeacherSpec ParseSpec(string spec) =>
        TeacherSpec.TryParse(spec, out var parsed) ? parsed : throw new UsageException($"--teacher '{spec}': expected {TeacherSpec.Forms}.");

    private static int Positive(int value, string option) => value > 0 ? value : throw new UsageException($"{option} must be positive.");

    /// <summary>What an input file gave: its rows, its format, what was outside the 18.</summary>
    private static void ReportFile(CliIO io, SourceFile file) => io.Error.WriteLine(file.Format is null
        ? $"lahja: {file.Rows:N0} texts from {file.Name}"
        : $"lahja: {file.Rows:N0} rows from {file.Name} ({file.Format}){DatasetReport.Skipped(file.SkippedOutOfSet)}");

    /// <summary>
    /// <c>--dry-run</c>: for each LLM teacher, how many rows would be sent after the cache, and an estimate of their
    /// tokens (and cost with --price-in/--price-out). Other teachers send nothing.
    /// </summary>
    private static void PrintPlans(CliIO io, IEnumerable<TeacherSpec> specs, IReadOnlyList<SourceRow> rows, Func<TeacherFactory> teachers, double? priceIn, double? priceOut)
    {
        var items = rows.Select(r => r.Item).ToList();
        var any = false;
        foreach (var spec in specs.Where(s => s.Kind == TeacherKind.Llm))
        {
            using var factory = teachers();
            using (var teacher = factory.Create(spec))
            {
                var plan = ((LlmTeacher)teacher).Plan(items);
                var cost = priceIn is not null || priceOut is not null
                    ? string.Create(CultureInfo.InvariantCulture, $", estimated cost {(plan.EstimatedInputTokens * (priceIn ?? 0) + plan.EstimatedOutputTokens * (priceOut ?? 0)) / 1e6:0.0000}")
                    : " (--price-in and --price-out give a cost estimate)";
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{teacher.Name}: {plan.Rows:N0} rows, {plan.DistinctTexts:N0} distinct texts, {plan.Cached:N0} answered in the cache: {plan.ToSend:N0} requests would be sent (before retries); " +
                    $"estimated tokens in {plan.EstimatedInputTokens:N0}, out {plan.EstimatedOutputTokens:N0} (about {LlmTeacher.CharactersPerToken} characters per token, {LlmTeacher.AnswerTokens} per answer){cost}"));
            }
            any = true;
        }
        if (!any) io.Out.WriteLine("no LLM teacher: nothing would be sent (local and model teachers run on this machine).");
    }

    private static void PrintUsage(CliIO io, IEnumerable<ITeacher> teachers, double? priceIn, double? priceOut)
    {
        foreach (var llm in teachers.OfType<LlmTeacher>())
        {
            var u = llm.Usage;
            var cost = priceIn is not null || priceOut is not null
                ? string.Create(CultureInfo.InvariantCulture, $", estimated cost {(u.InputTokens * (priceIn ?? 0) + u.OutputTokens * (priceOut ?? 0)) / 1e6:0.0000}")
                : "";
            io.Error.WriteLine($"lahja: {llm.Name}: {u.Requests:N0} requests ({u.Retries:N0} retries), {u.Cached:N0} rows from the cache, {u.Failed:N0} failed; tokens in {u.InputTokens:N0}, out {u.OutputTokens:N0}{cost}");
        }
    }

    private static void PrintCardinalities(CliIO io, IReadOnlyList<PseudoLabel> labelled)
    {
        if (labelled.Count == 0) return;
        var counts = PseudoLabeler.CardinalityCounts(labelled);
        io.Error.WriteLine("lahja: label cardinality (dialects per row → rows; 16 and 17 train as 18):");
        io.Error.WriteLine("lahja:   " + string.Join("; ", counts.Select((c, k) => (c, k)).Where(p => p.c > 0).Select(p => $"{p.k}→{p.c:N0}")));
        if (labelled.Count > 0)
            io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lahja:   mean {labelled.Average(r => r.Cardinality):0.00} dialects per row"));
    }

    /// <summary>When the input has gold labels: how the teacher's labels and probabilities compare with them.</summary>
    private static void PrintQuality(CliIO io, IReadOnlyList<SourceRow> rows, IReadOnlyList<PseudoLabel> labelled)
    {
        // Ids may repeat in a file (they come from the data): the first row of an id is the one compared.
        var multiGold = new Dictionary<(string, string), bool?[]>();
        foreach (var r in rows.Where(r => r.GoldLabels is not null)) multiGold.TryAdd((r.Source, r.Id), r.GoldLabels!);
        var multi = labelled.Where(r => multiGold.ContainsKey((r.Source, r.Id))).ToList();
        if (multi.Count > 0)
        {
            var official = MultiLabelScorer.Score(multi.Select(r => multiGold[(r.Source, r.Id)]).ToList(), multi.Select(r => (IReadOnlyList<bool>)r.Labels).ToList());
            io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lahja: against the multi-label gold ({multi.Count:N0} rows, official scorer): macro P {official.MacroPrecision:0.00}, R {official.MacroRecall:0.00}, F1 {official.MacroF1:0.00}"));
        }
        var withGold = labelled.Where(r => r.Gold is not null).ToList();
        if (withGold.Count == 0) return;
        var gold = withGold.Select(r => Dialects.All.Select(d => (bool?)(d == r.Gold)).ToArray()).ToList();
        var scores = MultiLabelScorer.Score(gold, withGold.Select(r => (IReadOnlyList<bool>)r.Labels).ToList());
        io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lahja: against the gold country ({withGold.Count:N0} rows): gold in the label set {100.0 * withGold.Count(r => r.Labels[(int)r.Gold!.Value]) / withGold.Count:0.00}%, mean set size {scores.MeanPredictedSetSize:0.00}"));
        if (withGold.All(r => r.Probabilities is not null))
        {
            var single = SingleLabelScorer.Score(withGold.Select(r => r.Gold!.Value).ToList(), withGold.Select(r => (IReadOnlyList<float>)r.Probabilities!).ToList(), _ => float.PositiveInfinity);
            io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lahja:   top-1 accuracy {single.Top1Accuracy:0.00}%, arg-max macro F1 {single.ArgMaxMacroF1:0.00}"));
        }
        io.Error.WriteLine("lahja:   per dialect (label set vs gold country): P / R / F1");
        foreach (var d in scores.PerDialect)
            io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lahja:   {d.Dialect.Label(),-13} {d.Precision,6:0.00} {d.Recall,6:0.00} {d.F1,6:0.00}  (support {d.Support})"));
    }
}
