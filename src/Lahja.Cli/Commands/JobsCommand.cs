using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using Lahja.Checkpoints;
using Lahja.Cli.Commands.Shared;
using Lahja.Jobs;
using StackExchange.Redis;

namespace Lahja.Cli.Commands;

/// <summary>
/// <c>lahja jobs submit|work|status|collect|delete</c>: batch prediction spread over any number of workers through a
/// Redis stream with a consumer group (at-least-once delivery, results stored once).
/// </summary>
internal static class JobsCommand
{
    private const string RedisVariable = "LAHJA_REDIS";
    private const string DefaultRedis = "redis://127.0.0.1:6379";

    public static Command Create(CliIO io) => new("jobs", "Distributed batch jobs over Redis Streams: submit a file, run workers anywhere, collect.")
    {
        Submit(io), Work(io), Status(io), Collect(io), Delete(io),
    };

    private static Option<string?> RedisOption() => new("--redis")
    {
        Description = $"Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], rediss://… for TLS. Default: ${RedisVariable}, else {DefaultRedis}.",
    };

    private static Option<FileInfo?> CaOption() => new("--redis-ca") { Description = "PEM certificate of a CA to trust for rediss:// (a private CA)." };

    private static Option<string> JobOption(bool required = true) => new("--job", "-j") { Description = "Job name: letters, digits, '.', '_', '-'.", Required = required };

    private static Command Submit(CliIO io)
    {
        var (redis, ca, job) = (RedisOption(), CaOption(), JobOption());
        var model = ModelOption.Create($"Checkpoint directory or Hub id the workers must use. Default: ${ModelLocator.ModelVariable}, then the bundled model.");
        var input = new Option<FileInfo>("--input", "-i") { Description = "Texts: one per line, or a TSV/CSV column with --column.", Required = true };
        var column = CommonOptions.Column();
        var chunk = new Option<int>("--chunk") { Description = "Texts per chunk (the unit of work, retry and acknowledgement).", DefaultValueFactory = _ => 256 };
        // What the workers apply: the decision and the text's preparation, not how they run the model.
        var settings = new IdentifierSettings
        {
            Threshold = CommonOptions.Threshold(), RelativeThreshold = CommonOptions.RelativeThreshold(), TopK = CommonOptions.TopK(),
            Preprocessing = CommonOptions.Preset(), MaxLength = CommonOptions.ModelMaxLength(),
        };
        var command = new Command("submit", "Store a job and enqueue its input in chunks (refused if the job exists).")
        {
            redis, ca, job, model, input, column, chunk,
        };
        settings.AddTo(command);
        command.SetAction(parse => Run(io, parse, redis, ca, async store =>
        {
            var name = JobName(parse.GetValue(job));
            if (parse.GetValue(chunk) is < 1 or > JobSpec.MaxChunkSize) throw new UsageException($"--chunk must be between 1 and {JobSpec.MaxChunkSize:N0}.");
            var file = parse.GetValue(input)!;
            var lines = InputTexts.ReadFile(file, parse.GetValue(column)); // refuses a missing file before the model is fetched
            var requested = settings.Bind(parse);
            var directory = ModelOption.Resolve(parse.GetValue(model), io);
            var spec = JobSpec.Create(name, parse.GetValue(model) ?? directory, directory, requested, parse.GetValue(chunk), file.FullName, parse.GetValue(column));
            var count = await store.SubmitAsync(spec, lines.Select(t => t.Text));
            var chunks = (count + spec.ChunkSize - 1) / spec.ChunkSize;
            io.Error.WriteLine($"lahja: job '{name}' submitted: {count:N0} texts in {chunks:N0} chunks of {spec.ChunkSize} (model {spec.Model}, {spec.ModelSha256}).");
            io.Error.WriteLine($"lahja: start workers anywhere with: lahja jobs work --redis {store.Endpoint.Display} --job {name} --model {spec.Model}");
            return 0;
        }));
        return command;
    }

    private static Command Work(CliIO io)
    {
        var workerDefaults = new WorkerOptions { ModelSha256 = "" }; // read for its defaults only
        var (redis, ca, job) = (RedisOption(), CaOption(), JobOption(required: false));
        job.Description = "Work on this job only (default: every job whose model is this worker's).";
        var model = ModelOption.Create($"The job's model: checkpoint directory or Hub id. Default: ${ModelLocator.ModelVariable}, then the bundled model.");
        var claimIdle = new Option<double>("--claim-idle") { Description = "Take over chunks unacknowledged for this many seconds (their worker is presumed dead).", DefaultValueFactory = _ => workerDefaults.ClaimIdle.TotalSeconds };
        var maxDeliveries = new Option<int>("--max-deliveries") { Description = "Move a chunk that failed this many times to the dead-letter stream.", DefaultValueFactory = _ => workerDefaults.MaxDeliveries };
        var reconnect = new Option<double>("--reconnect-timeout") { Description = "Seconds Redis may stay unreachable before the worker gives up.", DefaultValueFactory = _ => workerDefaults.ReconnectPatience.TotalSeconds };
        var name = new Option<string?>("--name") { Description = "This worker's name in status (default: HOST-PID; must be unique)." };
        var follow = new Option<bool>("--follow") { Description = "Keep waiting for new jobs when every job is finished (until Ctrl-C or SIGTERM)." };
        // How this worker runs the model; the job says how texts are prepared and decided.
        var settings = new IdentifierSettings { BatchSize = CommonOptions.BatchSize(), MaxBatchTokens = CommonOptions.MaxBatchTokens(), Threads = CommonOptions.Threads(), Engine = true };
        var command = new Command("work", "Predict a job's chunks until none is left; Ctrl-C or SIGTERM stops after the chunk in hand.")
        {
            redis, ca, job, model, claimIdle, maxDeliveries, reconnect, name, follow,
        };
        settings.AddTo(command);
        command.SetAction(parse => Run(io, parse, redis, ca, async store =>
        {
            var only = parse.GetValue(job) is { } given ? JobName(given) : null;
            if (!(parse.GetValue(claimIdle) >= 0)) throw new UsageException("--claim-idle must be 0 or more seconds.");
            if (parse.GetValue(maxDeliveries) < 1) throw new UsageException("--max-deliveries must be at least 1.");
            if (!(parse.GetValue(reconnect) >= 0)) throw new UsageException("--reconnect-timeout must be 0 or more seconds.");
            var running = settings.Bind(parse);
            if (running.BatchSize < 1) throw new UsageException("--batch-size must be at least 1.");
            var directory = ModelOption.Resolve(parse.GetValue(model), io);
            var sha = CheckpointFiles.WeightsSha256(directory) ?? throw new FileNotFoundException($"'{directory}' has no weights.");
            var options = new WorkerOptions
            {
                Job = only,
                ModelSha256 = sha,
                ClaimIdle = TimeSpan.FromSeconds(parse.GetValue(claimIdle)),
                MaxDeliveries = parse.GetValue(maxDeliveries),
                ReconnectPatience = TimeSpan.FromSeconds(parse.GetValue(reconnect)),
                Follow = parse.GetValue(follow),
                Log = line => io.Error.WriteLine($"lahja: {line}"),
            };
            if (parse.GetValue(name) is { } workerName) options = options with { Name = workerName };
            using var identifiers = new IdentifierCache(directory, running);
            using var stop = new CancellationTokenSource();
            void OnSignal(PosixSignalContext context)
            {
                if (stop.IsCancellationRequested) return; // a second signal ends the process at once
                context.Cancel = true;
                io.Error.WriteLine("lahja: stopping after the chunk in hand (again to quit now)…");
                stop.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            io.Error.WriteLine($"lahja: worker {options.Name} on {store.Endpoint.Display} ({(only is null ? "every job" : $"job '{only}'")}, model {sha})");
            var summary = await new JobWorker(store, identifiers.Predict, options).RunAsync(stop.Token);
            io.Error.WriteLine($"lahja: worker {options.Name}: {summary.Chunks:N0} chunks ({summary.Texts:N0} texts) stored, " +
                               $"{summary.Duplicates:N0} already stored by another worker, {summary.Failures:N0} failed attempts, {summary.DeadLettered:N0} dead-lettered; " +
                               (summary.Stopped ? "stopped on request." : "no work left."));
            return 0;
        }));
        return command;
    }

    private static Command Status(CliIO io)
    {
        var (redis, ca, job) = (RedisOption(), CaOption(), JobOption(required: false));
        job.Description = "The job (default: a one-line summary of every job).";
        var watch = new Option<double?>("--watch") { Description = "Redraw a progress bar every SECONDS (default 2) until the job is finished or Ctrl-C.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "A job's chunks queued / in progress / done / dead, per worker, rate and time left.") { redis, ca, job, watch };
        command.SetAction(parse => Run(io, parse, redis, ca, async store =>
        {
            if (parse.GetValue(job) is not { } given)
            {
                if (parse.GetResult(watch) is not null) throw new UsageException("--watch needs --job NAME.");
                var jobs = await store.ListJobsAsync();
                if (jobs.Count == 0) io.Out.WriteLine($"no jobs in {store.Endpoint.Display}");
                foreach (var j in jobs) io.Out.WriteLine(Summary(await store.GetStatusAsync(j)));
                return 0;
            }
            var name = JobName(given);
            if (parse.GetResult(watch) is null)
            {
                var status = await store.GetStatusAsync(name);
                WriteStatus(io.Out, status, await store.GetDeadLettersAsync(name, 10));
                return 0;
            }
            var interval = TimeSpan.FromSeconds(parse.GetValue(watch) ?? 2);
            if (interval <= TimeSpan.Zero) throw new UsageException("--watch takes a positive number of seconds.");
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var terminal = !Console.IsOutputRedirected; // a log gets one line per update, a terminal one redrawn line
                while (true)
                {
                    var status = await store.GetStatusAsync(name);
                    io.Out.Write((terminal ? "\r" : "") + ProgressLine(status) + (terminal ? "" : "\n"));
                    io.Out.Flush();
                    if (status.IsFinished || stop.IsCancellationRequested) break;
                    try { await Task.Delay(interval, stop.Token); } catch (OperationCanceledException) { }
                }
                if (terminal) io.Out.WriteLine();
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            return 0;
        }));
        return command;
    }

    private static Command Collect(CliIO io)
    {
        var (redis, ca, job) = (RedisOption(), CaOption(), JobOption());
        var output = new Option<FileInfo>("--output", "-o") { Description = "Write to FILE (atomically: complete or absent).", Required = true };
        var format = new Option<PredictionFormat>("--format", "-f") { Description = "jsonl, json, tsv or nadi: as 'lahja predict' writes them.", DefaultValueFactory = _ => PredictionFormat.Jsonl };
        var partial = new Option<bool>("--partial") { Description = "Write what is done even though chunks are missing (queued, in progress or dead)." };
        var command = new Command("collect", "Write every input's prediction once, in input order (refused while incomplete unless --partial).") { redis, ca, job, output, format, partial };
        command.SetAction(parse => Run(io, parse, redis, ca, async store =>
        {
            var name = JobName(parse.GetValue(job));
            if (parse.GetValue(format) == PredictionFormat.Table) throw new UsageException("--format table is for the terminal; collect writes jsonl, json, tsv or nadi.");
            var status = await store.GetStatusAsync(name);
            if (!status.IsComplete && !parse.GetValue(partial))
                throw new JobException($"Job '{name}' is incomplete: {Counts(status)}. " +
                                       (status.Dead > 0 ? "Dead letters are listed by 'lahja jobs status'. " : status.Submitted ? "Wait for the workers ('lahja jobs status --watch'). " : "Its submission has not finished. ") +
                                       "--partial writes what is done.");
            long written = 0, missingChunks = 0;
            var problems = new List<string>();
            AtomicFile.Write(parse.GetValue(output)!.FullName, stream =>
            {
                using var text = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                var writer = new PredictionWriter(text, parse.GetValue(format));
                var results = store.ReadResultsAsync(status).GetAsyncEnumerator();
                try
                {
                    while (results.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                    {
                        var result = results.Current;
                        if (result.Predictions is null)
                        {
                            missingChunks++;
                            if (result.Problem!.StartsWith("corrupted", StringComparison.Ordinal)) problems.Add($"chunk {result.Chunk}: {result.Problem}");
                            if (!parse.GetValue(partial)) throw new InvalidDataException($"job '{name}', chunk {result.Chunk}: {result.Problem}; nothing written.");
                            continue;
                        }
                        foreach (var prediction in result.Predictions) writer.Write(prediction);
                        written += result.Predictions.Count;
                    }
                }
                finally
                {
                    results.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
                writer.Finish();
            });
            foreach (var problem in problems) io.Error.WriteLine($"lahja: warning: {problem}");
            io.Error.WriteLine($"lahja: {written:N0} predictions written to {parse.GetValue(output)!.FullName}" +
                               (missingChunks > 0 ? $"; {missingChunks:N0} of {status.TotalChunks:N0} chunks missing (--partial)" : ""));
            return 0;
        }));
        return command;
    }

    private static Command Delete(CliIO io)
    {
        var (redis, ca, job) = (RedisOption(), CaOption(), JobOption());
        var command = new Command("delete", "Delete a job: its spec, chunks, results and dead letters.") { redis, ca, job };
        command.SetAction(parse => Run(io, parse, redis, ca, async store =>
        {
            var name = JobName(parse.GetValue(job));
            if (!await store.DeleteAsync(name)) throw new JobException($"No job '{name}' in Redis at {store.Endpoint.Display}.");
            io.Error.WriteLine($"lahja: job '{name}' deleted.");
            return 0;
        }));
        return command;
    }

    private static string JobName(string? name) =>
        JobKeys.IsValidName(name) ? name! : throw new UsageException($"--job: '{name}' is not a valid job name: use 1 to 100 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.");

    /// <summary>
    /// Connects, runs <paramref name="body"/>, and words every Redis failure as one line naming the server with its
    /// password masked (exit 1), like the other errors <see cref="CliApp.Guard"/> turns into messages.
    /// </summary>
    private static int Run(CliIO io, ParseResult parse, Option<string?> redis, Option<FileInfo?> ca, Func<JobStore, Task<int>> body) => CliApp.Guard(io, () =>
    {
        var url = parse.GetValue(redis) ?? Environment.GetEnvironmentVariable(RedisVariable) ?? DefaultRedis;
        RedisEndpoint endpoint;
        try
        {
            endpoint = RedisEndpoint.Parse(url, parse.GetValue(ca)?.FullName);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--redis: " + e.Message);
        }
        try
        {
            using var store = JobStore.ConnectAsync(endpoint).GetAwaiter().GetResult();
            return body(store).GetAwaiter().GetResult();
        }
        catch (RedisException e)
        {
            io.Error.WriteLine($"lahja: error: {endpoint.Describe(e)}");
            return 1;
        }
    });

    private static string Counts(JobStatus s) =>
        $"{s.Done:N0} of {s.TotalChunks:N0} chunks done, {s.InProgress:N0} in progress, {s.Queued:N0} queued, {s.Dead:N0} dead" + (s.Submitted ? "" : " (still being submitted)");

    private static string Summary(JobStatus s) =>
        $"{s.Spec.Name}\t{(s.IsComplete ? "complete" : s.IsFinished ? "finished with dead letters" : s.Submitted ? "running" : "submitting")}\t{Counts(s)}\t{s.TotalTexts:N0} texts\t{s.Spec.Model}";

    private static string ProgressLine(JobStatus s)
    {
        const int width = 30;
        var fraction = s.TotalChunks == 0 ? 0 : (double)s.Done / s.TotalChunks;
        var filled = (int)Math.Round(fraction * width);
        var rate = s.TextsPerSecond is { } r ? $"{r:N1} texts/s" : "— texts/s";
        var left = s.TimeLeft is { } t ? $", about {t:hh\\:mm\\:ss} left" : "";
        return $"[{new string('#', filled)}{new string('-', width - filled)}] {100 * fraction,5:0.0}%  {s.Done:N0}/{s.TotalChunks:N0} chunks, {s.InProgress:N0} in progress, {s.Dead:N0} dead, {rate}{left}";
    }

    private static void WriteStatus(TextWriter output, JobStatus s, IReadOnlyList<DeadLetter> dead)
    {
        output.WriteLine($"job {s.Spec.Name}: {s.TotalTexts:N0} texts in {s.TotalChunks:N0} chunks of {s.Spec.ChunkSize} (submitted {s.Spec.Created:u}{(s.Submitted ? "" : ", submission not finished")})");
        output.WriteLine($"model: {s.Spec.Model} ({s.Spec.ModelSha256})");
        output.WriteLine($"chunks: {s.Queued:N0} queued, {s.InProgress:N0} in progress, {s.Done:N0} done, {s.Dead:N0} dead" +
                         (s.IsComplete ? " — complete" : s.IsFinished ? " — finished, with dead letters" : ""));
        output.WriteLine($"texts: {s.DoneTexts:N0} done" + (s.TextsPerSecond is { } rate ? $", {rate:N1} texts/s" : "") + (s.TimeLeft is { } left && !s.IsFinished ? $", about {left:hh\\:mm\\:ss} left" : ""));
        if (s.Workers.Count > 0)
        {
            output.WriteLine("workers:");
            foreach (var w in s.Workers)
                output.WriteLine($"  {w.Name}\t{w.Chunks:N0} chunks, {w.Texts:N0} texts, {w.InProgress:N0} in progress" +
                                 (w.IdleMilliseconds is { } idle ? $", last seen {idle / 1000.0:0.0} s ago" : ""));
        }
        if (dead.Count > 0)
        {
            output.WriteLine("dead letters:");
            foreach (var d in dead)
                output.WriteLine($"  chunk {(d.Chunk is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}: {d.Reason} (worker {d.Worker}, {d.Deliveries} deliveries)");
        }
    }

    /// <summary>One loaded model per preprocessing and length that the served jobs ask for (usually one).</summary>
    /// <param name="directory">The model.</param>
    /// <param name="running">How this worker runs it: batch size, threads, engine.</param>
    private sealed class IdentifierCache(string directory, DialectIdentifierOptions running) : IDisposable
    {
        private readonly Dictionary<(string, int), DialectIdentifier> _loaded = [];

        public IReadOnlyList<DialectPrediction> Predict(JobSpec job, IReadOnlyList<string> texts)
        {
            var key = (job.Preprocessing, job.MaxLength);
            if (!_loaded.TryGetValue(key, out var identifier))
                _loaded[key] = identifier = DialectIdentifier.Load(directory, job.Options() with { BatchSize = running.BatchSize, Threads = running.Threads, Engine = running.Engine });
            return identifier.Predict(texts);
        }

        public void Dispose()
        {
            foreach (var identifier in _loaded.Values) identifier.Dispose();
        }
    }
}
