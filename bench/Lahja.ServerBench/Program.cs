using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Lahja;
using Lahja.Onnx;
using Lahja.Server;
using Lahja.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

// Load test of the HTTP service on loopback, against offline DialectIdentifier.Predict in the same process.
//   Lahja.ServerBench --model DIR --input FILE.jsonl [--texts 300] [--clients 1,8,32] [--texts-per-request 1]
//                     [--threads 2] [--batch-size 32] [--serve-batch-size 32] [--serve-threads N] [--max-wait-ms auto] [--max-batch-tokens N|none]
//                     [--pass-overhead-tokens auto|fixed|N] [--offline-passes 3]
// Offline: Predict over all texts at once (length-sorted batches), after an untimed warm-up pass; best of
// --offline-passes (3). Served: a LahjaServer on
// 127.0.0.1 (micro-batching on), then for each client count, that many concurrent clients send POST /v1/identify
// until the texts are used up; each request's latency is measured from send to parsed answer. Client and server
// share the machine's cores, as a service and its callers on one host do. Each side runs with its own defaults:
// predict cuts the length-sorted input every 32 texts; serve cuts each gathered batch into passes of at most 32 by the
// pass overhead it measures at start (BatchPlanner.CostBased), and waits for company automatically. One JSON line per
// run, then a table.
var options = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
string Arg(string name, string? fallback = null) =>
    options.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"{name} is required");
var model = Arg("--model");
var count = int.Parse(Arg("--texts", "300"));
var texts = File.ReadLines(Arg("--input")).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<string>(l)!).Take(count).ToArray();
var clientCounts = Arg("--clients", "1,8,32").Split(',').Select(int.Parse).ToArray();
var perRequest = int.Parse(Arg("--texts-per-request", "1"));
var identifierOptions = new DialectIdentifierOptions
{
    Threads = int.Parse(Arg("--threads", "2")), BatchSize = int.Parse(Arg("--batch-size", "32")),
    MaxBatchTokens = Arg("--max-batch-tokens", "") switch { "" => DialectIdentifierOptions.DefaultMaxBatchTokens, "none" => null, var budget => int.Parse(budget) },
    Engine = new OnnxEngineFactory(Arg("--precision", "fp32") == "int8" ? OnnxPrecision.Int8 : OnnxPrecision.Fp32),
};
var modelName = Path.GetFileName(Path.GetFullPath(model).TrimEnd('/'));

double offlinePerSecond;
using (var identifier = DialectIdentifier.Load(model, identifierOptions))
{
    // A whole untimed pass first: libtorch prepares kernels per input shape, and the server is measured warm too.
    // Then the best of a few passes: on a busy machine one pass can be several times slower than the next, and the
    // best offline figure makes the served/offline ratio conservative.
    identifier.Predict(texts);
    offlinePerSecond = 0;
    for (var pass = 0; pass < int.Parse(Arg("--offline-passes", "3")); pass++)
    {
        var watch = Stopwatch.StartNew();
        identifier.Predict(texts);
        offlinePerSecond = Math.Max(offlinePerSecond, texts.Length / watch.Elapsed.TotalSeconds);
    }
}
Console.WriteLine(JsonSerializer.Serialize(new { run = "offline", model = modelName, texts = texts.Length, texts_per_second = offlinePerSecond }));

// Diagnostic: offline again, but fed as the server's model sees texts at the largest client count (groups of
// clients × texts per request, 64 at most, in arrival order, each cut into passes by the server's planner). Its gap to
// the line above is batch composition (padding, smaller passes); the rest of the gap to the served figure is HTTP,
// the clients' own work on the same cores, and scheduling.
var serveBatchSize = int.Parse(Arg("--serve-batch-size", "32"));
double groupedPerSecond = 0;
BatchPlanner planner;
using (var identifier = DialectIdentifier.Load(model, identifierOptions with { BatchSize = serveBatchSize }))
{
    planner = Arg("--pass-overhead-tokens", "auto") switch
    {
        "auto" => BatchPlanner.CostBased(identifier.Options, identifier.MeasurePassOverheadTokens()),
        "fixed" => BatchPlanner.Fixed(identifier.Options),
        var tokens => BatchPlanner.CostBased(identifier.Options, double.Parse(tokens, System.Globalization.CultureInfo.InvariantCulture)),
    };
    var preprocessor = TextPreprocessor.FromPreset(identifier.Options.Preprocessing);
    var groups = texts.Chunk(Math.Min(64, clientCounts.Max() * perRequest)).ToArray();
    foreach (var group in groups) identifier.Predict(group, preprocessor, planner);
    for (var pass = 0; pass < int.Parse(Arg("--offline-passes", "3")); pass++)
    {
        var watch = Stopwatch.StartNew();
        foreach (var group in groups) identifier.Predict(group, preprocessor, planner);
        groupedPerSecond = Math.Max(groupedPerSecond, texts.Length / watch.Elapsed.TotalSeconds);
    }
}
Console.WriteLine(JsonSerializer.Serialize(new { run = "offline-in-served-groups", model = modelName, group = Math.Min(64, clientCounts.Max() * perRequest), planner = planner.ToString(), texts_per_second = groupedPerSecond }));

var app = LahjaServer.Build(new ServerOptions
{
    Model = model, Urls = "http://127.0.0.1:0", Identifier = identifierOptions with
    {
        BatchSize = int.Parse(Arg("--serve-batch-size", "32")),
        Threads = options.TryGetValue("--serve-threads", out var serveThreads) ? int.Parse(serveThreads) : identifierOptions.Threads,
    },
    MaxWaitMilliseconds = options.TryGetValue("--max-wait-ms", out var wait) ? int.Parse(wait) : null, MaxPoolTexts = 64,
    Planner = planner, MaxTextsPerRequest = Math.Max(256, perRequest),
});
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
var requests = texts.Chunk(perRequest).ToArray();
var batching = (await http.GetFromJsonAsync<JsonElement>("/v1/model")).GetProperty("batching");
Console.WriteLine(JsonSerializer.Serialize(new { run = "server", model = modelName, batching }));

async Task<(double Seconds, List<double> Latencies, int Errors)> Load(int clients, IReadOnlyList<string[]> work)
{
    var next = -1;
    var latencies = new List<double>();
    var errors = 0;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
    {
        var mine = new List<double>();
        int i;
        while ((i = Interlocked.Increment(ref next)) < work.Count)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync("/v1/identify", new { texts = work[i] });
            var ok = response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetArrayLength() == work[i].Length;
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!ok) Interlocked.Increment(ref errors);
        }
        lock (latencies) latencies.AddRange(mine);
    })));
    return (watch.Elapsed.TotalSeconds, latencies, errors);
}

async Task<double> Counter(string name) =>
    double.Parse((await http.GetStringAsync("/metrics")).Replace("{} ", " ", StringComparison.Ordinal).Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
var rows = new List<(int Clients, double RequestsPerSecond, double TextsPerSecond, double P50, double P95, double P99, int Errors)>();
foreach (var clients in clientCounts)
{
    await Load(clients, requests.Take(Math.Min(requests.Length, clients * 2)).ToArray()); // warm-up: connections, JIT
    var batchesBefore = await Counter("lahja_passes_total");
    var busyBefore = await Counter("lahja_model_busy_seconds_total");
    var (seconds, latencies, errors) = await Load(clients, requests);
    var batches = await Counter("lahja_passes_total") - batchesBefore;
    var busy = await Counter("lahja_model_busy_seconds_total") - busyBefore;
    latencies.Sort();
    var row = (clients, requests.Length / seconds, texts.Length / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), errors);
    rows.Add(row);
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        run = "served", model = modelName, clients, texts_per_request = perRequest, requests = requests.Length, requests_per_second = row.Item2,
        texts_per_second = row.Item3, p50_ms = row.Item4, p95_ms = row.Item5, p99_ms = row.Item6, errors, ratio_to_offline = row.Item3 / offlinePerSecond,
        model_batches = batches, mean_texts_per_model_batch = texts.Length / batches, model_busy_share = busy / seconds,
        model_texts_per_busy_second = texts.Length / busy,
    }));
}
await app.StopAsync();
await app.DisposeAsync();

Console.WriteLine();
Console.WriteLine($"Model {modelName}, {texts.Length} texts, {perRequest} per request; offline Predict (batch {identifierOptions.BatchSize}) {offlinePerSecond:0.0} texts/s; "
    + $"offline in groups of {Math.Min(64, clientCounts.Max() * perRequest)} ({planner}) {groupedPerSecond:0.0} texts/s; served: {batching}");
Console.WriteLine();
Console.WriteLine("| clients | requests/s | texts/s | p50 ms | p95 ms | p99 ms | errors | served / offline |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (var r in rows)
    Console.WriteLine($"| {r.Clients} | {r.RequestsPerSecond:0.0} | {r.TextsPerSecond:0.0} | {r.P50:0.0} | {r.P95:0.0} | {r.P99:0.0} | {r.Errors} | {r.TextsPerSecond / offlinePerSecond:0.00} |");
