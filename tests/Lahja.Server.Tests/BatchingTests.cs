using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        _app = LahjaServer.Build(new ServerOptions { Model = ServerFixture.Model, Urls = "http://127.0.0.1:0", MaxWaitMilliseconds = 50, MaxBatchTexts = 64 });
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
        var text = await _client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        return text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#') && !l.Contains('{'))
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Concurrent_requests_share_model_batches_and_keep_their_results()
    {
        using var offline = DialectIdentifier.Load(ServerFixture.Model);
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
    public async Task Full_queue_refuses_and_an_empty_queue_always_accepts()
    {
        using var identifier = DialectIdentifier.Load(ServerFixture.Model);
        await using var batcher = new MicroBatcher(identifier, maxBatchTexts: 512, TimeSpan.FromMilliseconds(1), maxQueuedTexts: 2);
        var big = batcher.PredictAsync(Enumerable.Range(0, 400).Select(i => $"نص {i}").ToArray(), TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<QueueFullException>(() => batcher.PredictAsync(["x"], TestContext.Current.CancellationToken));
        Assert.Equal(400, (await big).Count);
        Assert.Single(await batcher.PredictAsync(["y"], TestContext.Current.CancellationToken));
        Assert.Equal(0, batcher.QueuedTexts);
    }
}
