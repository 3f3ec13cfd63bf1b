using Lahja.Onnx;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Lahja.Server.Tests;

/// <summary>A real Kestrel server on a loopback port, serving the tiny fixture checkpoint.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public static string Model => Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    /// <summary>The engine the tests' servers and identifiers run on: the server names none itself.</summary>
    public static DialectIdentifierOptions Identifier { get; } = new() { Engine = new OnnxEngineFactory() };

    /// <summary>Loads <see cref="Model"/> (or <paramref name="model"/>) with <paramref name="options"/> on the tests' engine.</summary>
    public static DialectIdentifier Load(string model, DialectIdentifierOptions? options = null) =>
        DialectIdentifier.Load(model, (options ?? new()) with { Engine = options?.Engine ?? Identifier.Engine });

    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _app = LahjaServer.Build(new ServerOptions { Identifier = ServerFixture.Identifier, Model = Model, Urls = "http://127.0.0.1:0", MaxTextsPerRequest = 8, MaxCharactersPerText = 100, MaxBodyBytes = 10_000 });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

public sealed class ApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly string[] Texts = ["شلونك حبيبي", "إزيك يا باشا", "", "كيفك شو عم تعمل"];

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string json, string contentType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await server.Client.PostAsync("/v1/identify", content, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone());
    }

    [Fact]
    public async Task Identify_equals_offline_predictions()
    {
        var (status, body) = await Post(JsonSerializer.Serialize(new { texts = Texts }));
        Assert.Equal(HttpStatusCode.OK, status);
        using var offline = ServerFixture.Load(ServerFixture.Model);
        var expected = offline.Predict(Texts);
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(Texts.Length, results.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(Texts[i], results[i].GetProperty("text").GetString());
            var probabilities = results[i].GetProperty("probabilities").EnumerateObject().ToArray();
            Assert.Equal(Dialects.Table.Select(d => d.Label), probabilities.Select(p => p.Name));
            for (var d = 0; d < 18; d++) Assert.Equal(expected[i].Probabilities[d], probabilities[d].Value.GetSingle(), 1e-6);
            Assert.Equal(expected[i].Dialects.Select(x => x.Label), results[i].GetProperty("dialects").EnumerateArray().Select(x => x.GetProperty("dialect").GetString()));
            var regions = results[i].GetProperty("regions").EnumerateObject().ToArray();
            Assert.Equal(Dialects.Regions.Select(r => r.EnglishName()), regions.Select(r => r.Name));
            for (var r = 0; r < regions.Length; r++) Assert.Equal(expected[i].Regions[r], regions[r].Value.GetDouble(), 1e-6);
            Assert.Equal(expected[i].Top.Select(x => x.Label), results[i].GetProperty("top").EnumerateArray().Select(x => x.GetProperty("dialect").GetString()));
        }
    }

    [Fact]
    public async Task Threshold_and_top_k_give_what_predict_gives_with_those_options()
    {
        var (status, body) = await Post(JsonSerializer.Serialize(new { texts = Texts, threshold = 0.55, top_k = 5 }));
        Assert.Equal(HttpStatusCode.OK, status);
        using var offline = ServerFixture.Load(ServerFixture.Model, new DialectIdentifierOptions { Threshold = 0.55f, TopK = 5 });
        var expected = offline.Predict(Texts);
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i].Dialects.Select(x => x.Label), results[i].GetProperty("dialects").EnumerateArray().Select(x => x.GetProperty("dialect").GetString()));
            Assert.Equal(expected[i].Top.Select(x => x.Label), results[i].GetProperty("top").EnumerateArray().Select(x => x.GetProperty("dialect").GetString()));
            Assert.Equal(expected[i].IsEmpty ? 0 : 5, results[i].GetProperty("top").GetArrayLength());
        }
        // The threshold matters for these texts: some dialects fall on each side of it.
        Assert.Contains(expected, p => p.Dialects.Count is > 0 and < 18);

        // The relative rule ("within r × the top"), with the dialect subset applied after the decision as predict's
        // output would be filtered.
        (status, body) = await Post(JsonSerializer.Serialize(new { texts = Texts, threshold = 0, relative_threshold = 0.9, dialects = new[] { "Lebanon", "Iraq", "Egypt" } }));
        Assert.Equal(HttpStatusCode.OK, status);
        using var relative = ServerFixture.Load(ServerFixture.Model, new DialectIdentifierOptions { Threshold = 0, RelativeThreshold = 0.9f });
        expected = relative.Predict(Texts);
        results = body.GetProperty("results").EnumerateArray().ToArray();
        string[] subset = ["Lebanon", "Iraq", "Egypt"];
        for (var i = 0; i < Texts.Length; i++)
            Assert.Equal(expected[i].Dialects.Select(x => x.Label).Where(subset.Contains), results[i].GetProperty("dialects").EnumerateArray().Select(x => x.GetProperty("dialect").GetString()));
        Assert.Contains(expected, p => p.Dialects.Count is > 0 and < 18);
    }

    [Fact]
    public async Task Options_threshold_top_k_and_dialect_subset()
    {
        var (status, body) = await Post("""{"text": "شلونك", "threshold": 1.0, "top_k": 2, "dialects": ["Iraq", "EG"]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var result = body.GetProperty("results")[0];
        Assert.Equal(["Egypt", "Iraq"], result.GetProperty("probabilities").EnumerateObject().Select(p => p.Name));
        Assert.Empty(result.GetProperty("dialects").EnumerateArray());
        Assert.Equal(2, result.GetProperty("top").GetArrayLength());
    }

    [Theory]
    [InlineData("{not json", 400, null)]
    [InlineData("[1, 2]", 400, null)]
    [InlineData("{}", 400, "text")]
    [InlineData("{\"text\": 5}", 400, "text")]
    [InlineData("{\"texts\": []}", 400, "texts")]
    [InlineData("{\"texts\": [\"a\", 3]}", 400, "texts[1]")]
    [InlineData("{\"texts\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}", 413, "texts")]
    [InlineData("{\"text\": \"a\", \"threshold\": 2}", 400, "threshold")]
    [InlineData("{\"text\": \"a\", \"relative_threshold\": -0.1}", 400, "relative_threshold")]
    [InlineData("{\"text\": \"a\", \"top_k\": \"x\"}", 400, "top_k")]
    [InlineData("{\"text\": \"a\", \"dialects\": [\"Narnia\"]}", 400, "dialects")]
    [InlineData("{\"text\": \"a\", \"preprocess\": \"nope\"}", 400, "preprocess")]
    [InlineData("{\"text\": \"a\", \"preprocess\": 1}", 400, "preprocess")]
    [InlineData("{\"text\": \"a\", \"dialects\": []}", 400, "dialects")]
    [InlineData("{\"text\": \"a\", \"dialects\": \"EG\"}", 400, "dialects")]
    [InlineData("{\"text\": \"a\", \"threshold\": \"0.5\"}", 400, "threshold")]
    [InlineData("{\"text\": \"a\", \"top_k\": 19}", 400, "top_k")]
    [InlineData("{\"text\": \"a\", \"top_k\": 1.5}", 400, "top_k")]
    [InlineData("{\"text\": null}", 400, "text")]
    [InlineData("{\"texts\": {\"a\": 1}}", 400, "texts")]
    [InlineData("{\"text\": \"\\ud800\"}", 400, "text")]
    [InlineData("{\"texts\": [\"ok\", \"\\udc00x\"]}", 400, "texts[1]")]
    [InlineData("\"just a string\"", 400, null)]
    [InlineData("", 400, null)]
    public async Task Bad_input_gets_a_problem_naming_the_field(string json, int expectedStatus, string? field)
    {
        var (status, body) = await Post(json);
        Assert.Equal(expectedStatus, (int)status);
        Assert.Equal(expectedStatus, body.GetProperty("status").GetInt32());
        Assert.True(body.TryGetProperty("title", out _));
        if (field is not null) Assert.Equal(field, body.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Long_texts_wrong_media_type_bad_utf8_and_big_bodies_are_refused()
    {
        var (status, body) = await Post(JsonSerializer.Serialize(new { text = new string('ب', 101) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("text", body.GetProperty("field").GetString());
        (status, _) = await Post("{\"text\": \"a\"}", "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        using var bad = new ByteArrayContent([.. "{\"text\": \""u8, 0xFF, 0xFE, .. "\"}"u8]);
        bad.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await server.Client.PostAsync("/v1/identify", bad, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        (status, _) = await Post(JsonSerializer.Serialize(new { text = new string('x', 20_000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task Model_dialects_and_health_endpoints()
    {
        var model = await server.Client.GetFromJsonAsync<JsonElement>("/v1/model", TestContext.Current.CancellationToken);
        Assert.Equal(Lahja.Checkpoints.CheckpointFiles.WeightsSha256(ServerFixture.Model), model.GetProperty("weights").GetString());
        Assert.Equal(18, model.GetProperty("dialects").GetArrayLength());
        // The default batching: passes cut by a pass overhead measured at start within the default token budget, automatic wait.
        var batching = model.GetProperty("batching");
        Assert.Equal(32, batching.GetProperty("max_pass_texts").GetInt32());
        Assert.Equal(DialectIdentifierOptions.DefaultMaxBatchTokens, batching.GetProperty("max_pass_tokens").GetInt32());
        Assert.InRange(batching.GetProperty("pass_overhead_tokens").GetDouble(), 0, 4096);
        Assert.Equal(JsonValueKind.Null, batching.GetProperty("max_wait_milliseconds").ValueKind);
        var dialects = await server.Client.GetFromJsonAsync<JsonElement>("/v1/dialects", TestContext.Current.CancellationToken);
        Assert.Equal("Saudi_Arabia", dialects[12].GetProperty("label").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_pool_of_texts_passes_are_chosen_from_is_named_pool_and_keeps_its_first_name()
    {
        Assert.Equal(7, new ServerOptions { MaxBatchTexts = 7 }.MaxPoolTexts);
        var model = await server.Client.GetFromJsonAsync<JsonElement>("/v1/model", TestContext.Current.CancellationToken);
        var batching = model.GetProperty("batching");
        Assert.Equal(new ServerOptions().MaxPoolTexts, batching.GetProperty("max_pool_texts").GetInt32());
        Assert.Equal(batching.GetProperty("max_pool_texts").GetInt32(), batching.GetProperty("max_batch_texts").GetInt32());
    }

    /// <summary>The acceptance load: 32 clients × 50 requests of 1 to 8 texts, every answer checked against offline predictions.</summary>
    [Fact]
    public async Task Concurrent_clients_get_their_own_results()
    {
        const int clients = 32, requests = 50;
        string[] Request(int c, int r) => [.. Enumerable.Range(0, 1 + (c * 7 + r) % 8).Select(i => Texts[(c + r + i) % Texts.Length] + $" {c}-{r}-{i}")];
        using var offline = ServerFixture.Load(ServerFixture.Model);
        var all = Enumerable.Range(0, clients).SelectMany(c => Enumerable.Range(0, requests).SelectMany(r => Request(c, r))).ToArray();
        var expected = all.Zip(offline.Predict(all)).ToDictionary(p => p.First, p => p.Second.Probabilities);
        var errors = 0;
        var tasks = Enumerable.Range(0, clients).Select(async c =>
        {
            for (var r = 0; r < requests; r++)
            {
                var texts = Request(c, r);
                var (status, body) = await Post(JsonSerializer.Serialize(new { texts }));
                if (status != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }
                var results = body.GetProperty("results").EnumerateArray().ToArray();
                Assert.Equal(texts, results.Select(x => x.GetProperty("text").GetString()));
                for (var i = 0; i < texts.Length; i++)
                {
                    var probabilities = results[i].GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
                    for (var d = 0; d < 18; d++) Assert.Equal(expected[texts[i]][d], probabilities[d], 1e-6);
                }
            }
        });
        await Task.WhenAll(tasks);
        Assert.Equal(0, errors);
    }
}
