using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lahja.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Lahja.Server.Tests;

public sealed class BatchingTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _app = LahjaServer.Build(new ServerOptions { Identifier = ServerFixture.Identifier, Model = ServerFixture.Model, Urls = "http://127.0.0.1:0", MaxWaitMilliseconds = 50, MaxPoolTexts = 64 });
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app!.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<Dictionary<string, double>> Metrics()
    {
        // A series without labels comes with an empty label set, "name{} value": the same series as "name value".
        var text = (await _client.GetStringAsync("/metrics", TestContext.Current.CancellationToken)).Replace("{} ", " ", StringComparison.Ordinal);
        return text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#') && !l.Contains('{'))
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Concurrent_requests_share_model_batches_and_keep_their_results()
    {
        using var offline = ServerFixture.Load(ServerFixture.Model);
        var texts = Enumerable.Range(0, 32).Select(i => $"نص رقم {i} شلونك").ToArray();
        var expected = texts.Select(t => offline.Predict(t)).ToArray();
        var responses = await Task.WhenAll(texts.Select(t => _client.PostAsJsonAsync("/v1/identify", new { text = t }, TestContext.Current.CancellationToken)));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(HttpStatusCode.OK, responses[i].StatusCode);
            var result = (await responses[i].Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("results")[0];
            Assert.Equal(texts[i], result.GetProperty("text").GetString());
            var probabilities = result.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
            for (var d = 0; d < 18; d++) Assert.Equal(expected[i].Probabilities[d], probabilities[d], 1e-6);
        }
        var metrics = await Metrics();
        Assert.Equal(32, metrics["lahja_texts_total"]);
        Assert.True(metrics["lahja_batches_total"] < 32, $"{metrics["lahja_batches_total"]} batches for 32 concurrent requests");
        Assert.Equal(32, metrics["lahja_identify_requests_total"]);
        Assert.Equal(0, metrics["lahja_queue_texts"]);
    }
}

public class MicroBatcherTests
{
    [Fact]
    public async Task Without_a_planner_of_its_own_the_pool_keeps_to_the_identifiers_token_budget()
    {
        var engine = new RecordingEngine();
        using var identifier = DialectIdentifier.Load(Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32"),
            new DialectIdentifierOptions { Engine = engine, BatchSize = 8, MaxBatchTokens = 30 });
        var texts = Enumerable.Range(0, 24).Select(i => string.Join(" ", Enumerable.Range(0, 1 + i % 6).Select(w => $"كلمة{w}"))).ToArray();
        await using var batcher = new MicroBatcher(identifier, maxPoolTexts: 24, TimeSpan.FromSeconds(30), maxQueuedTexts: 1000);
        var results = await Task.WhenAll(texts.Select(t => batcher.PredictAsync([t], TestContext.Current.CancellationToken)));
        Assert.Equal(24, engine.Passes.Sum(p => p.Rows));
        Assert.All(engine.Passes, p => Assert.True(p.Rows == 1 || p.Rows * p.Length <= 30, $"{p.Rows} × {p.Length}"));
        Assert.Contains(engine.Passes, p => p.Rows < 8 && p.Rows * p.Length > 15); // the budget, not the batch size, cut these
        for (var i = 0; i < texts.Length; i++) Assert.Equal(texts[i], Assert.Single(results[i]).Text);
    }

    [Fact]
    public async Task Passes_are_chosen_from_the_pool_and_a_passed_over_text_runs_after_MaxDeferrals_passes()
    {
        var engine = new RecordingEngine();
        using var identifier = RecordingEngine.Identifier(engine, batchSize: 8);
        var shortTexts = Enumerable.Range(0, 63).Select(i => $"كيفك {i}").ToArray();
        var longText = string.Join(" ", Enumerable.Range(0, 40).Select(i => $"كلمة{i}"));
        string[] texts = [.. shortTexts.Take(30), longText, .. shortTexts.Skip(30)];
        var expected = texts.Select(identifier.Predict).ToArray();
        engine.Passes.Clear();
        // The pool waits (30 s at most) until it holds all 64 texts, then passes of at most 8 are cut by cost.
        await using var batcher = new MicroBatcher(identifier, maxPoolTexts: 64, TimeSpan.FromSeconds(30), maxQueuedTexts: 1000, planner: BatchPlanner.CostBased(8, 10));
        var results = await Task.WhenAll(texts.Select(t => batcher.PredictAsync([t], TestContext.Current.CancellationToken)));

        var longLength = identifier.Encode(longText, TextPreprocessor.B2Bert).Count;
        Assert.True(longLength > 30, $"the long text has {longLength} tokens");
        Assert.Equal(64, engine.Passes.Sum(p => p.Rows));
        Assert.All(engine.Passes, p => Assert.InRange(p.Rows, 1, 8));
        // Short texts are cheaper per text, so they go first; the long one has been passed over 4 times, then runs.
        var longPass = engine.Passes.FindIndex(p => p.RowLengths.Contains(longLength));
        Assert.Equal(MicroBatcher.MaxDeferrals, longPass);
        Assert.True(longPass < engine.Passes.Count - 1, "the long text would otherwise have run last");
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(texts[i], Assert.Single(results[i]).Text);
            Assert.Equal(expected[i].Probabilities, results[i][0].Probabilities);
        }
        Assert.Equal(0, batcher.QueuedTexts);
        Assert.Equal(64, batcher.Requests);
    }

    [Fact]
    public async Task Full_queue_refuses_and_an_empty_queue_always_accepts()
    {
        using var identifier = ServerFixture.Load(ServerFixture.Model);
        await using var batcher = new MicroBatcher(identifier, maxPoolTexts: 512, TimeSpan.FromMilliseconds(1), maxQueuedTexts: 2);
        var big = batcher.PredictAsync(Enumerable.Range(0, 400).Select(i => $"نص {i}").ToArray(), TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<QueueFullException>(() => batcher.PredictAsync(["x"], TestContext.Current.CancellationToken));
        Assert.Equal(400, (await big).Count);
        Assert.Single(await batcher.PredictAsync(["y"], TestContext.Current.CancellationToken));
        Assert.Equal(0, batcher.QueuedTexts);
    }

    [Fact]
    public async Task Predictions_carry_the_texts_as_sent_whatever_the_preprocessing()
    {
        // What the endpoints do: each request's own preset. The predictions must carry the texts as sent (as
        // DialectPrediction.Text says), and tell a blank text from one that preprocessing emptied.
        using var identifier = ServerFixture.Load(ServerFixture.Model);
        await using var batcher = new MicroBatcher(identifier, maxPoolTexts: 64, TimeSpan.Zero, maxQueuedTexts: 100);
        string[] texts = ["شلونك يا @user http://example.com 😀", "hello world", "  "];
        Assert.NotEqual(texts[0], TextPreprocessor.B2Bert.Process(texts[0]));
        var results = await batcher.PredictAsync(texts, TextPreprocessor.B2Bert, TestContext.Current.CancellationToken);

        Assert.Equal(texts, results.Select(p => p.Text));
        Assert.Equal([EmptyTextReason.None, EmptyTextReason.NothingAfterPreprocessing, EmptyTextReason.EmptyText], results.Select(p => p.EmptyReason));
        var offline = identifier.Predict(texts, TextPreprocessor.B2Bert);
        for (var i = 0; i < texts.Length; i++)
            for (var d = 0; d < Dialects.Count; d++) Assert.Equal(offline[i].Probabilities[d], results[i].Probabilities[d], 1e-6);
    }
}
