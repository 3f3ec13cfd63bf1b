using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Lahja.Server.Tests;

/// <summary>The routes other clients speak: TEI's POST /predict and GET /info, the Inference API's POST /.</summary>
public sealed class InteropApiTests : IAsyncLifetime
{
    private const int MaxLength = 16;
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly string[] Texts = ["شلونك حبيبي", "إزيك يا باشا", "كيفك شو عم تعمل"];
    private RunningServer _server = null!;
    private DialectIdentifier _identifier = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await RunningServer.StartAsync(o => o with
        {
            MaxTextsPerRequest = 8,
            MaxCharactersPerText = 300,
            Identifier = ServerFixture.Identifier with { MaxLength = MaxLength },
        });
        _identifier = ServerFixture.Load(ServerFixture.Model, new DialectIdentifierOptions { MaxLength = MaxLength });
    }

    public async ValueTask DisposeAsync()
    {
        _identifier.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json, string contentType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await _server.Client.PostAsync(path, content, Token);
        var body = await response.Content.ReadAsStringAsync(Token);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    /// <summary>The offline probabilities of one text (alone in its batch, as the server runs a lone request).</summary>
    private IReadOnlyList<float> Offline(string text) => _identifier.Predict([text])[0].Probabilities;

    /// <summary>Asserts a list of {score, label} holds all 18 dialects, highest first, with these scores.</summary>
    private static void AssertScores(JsonElement list, Func<Dialect, double> expected, int count = Dialects.Count, double tolerance = 1e-6)
    {
        var items = list.EnumerateArray().ToList();
        Assert.Equal(count, items.Count);
        var scores = items.Select(i => i.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        var wanted = Dialects.All.OrderByDescending(expected).ThenBy(d => d).Take(count).ToList();
        Assert.Equal(wanted.Select(d => d.Label()), items.Select(i => i.GetProperty("label").GetString()));
        foreach (var item in items)
        {
            Assert.True(Dialects.TryParse(item.GetProperty("label").GetString()!, out var d));
            Assert.Equal(expected(d), item.GetProperty("score").GetDouble(), tolerance);
        }
    }

    private static double Logit(float p) => Math.Log(Math.Min(p, 1 - 1.0 / (1 << 24)) / (1 - Math.Min(p, 1 - 1.0 / (1 << 24))));

    private static void AssertTeiError(HttpStatusCode expected, (HttpStatusCode Status, JsonElement Body) answer, string type, string? contains = null)
    {
        Assert.Equal(expected, answer.Status);
        Assert.Equal(["error", "error_type"], answer.Body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(type, answer.Body.GetProperty("error_type").GetString());
        if (contains is not null) Assert.Contains(contains, answer.Body.GetProperty("error").GetString());
    }

    private static void AssertInferenceError(HttpStatusCode expected, (HttpStatusCode Status, JsonElement Body) answer, string contains)
    {
        Assert.Equal(expected, answer.Status);
        Assert.Equal(["error"], answer.Body.EnumerateObject().Select(p => p.Name));
        Assert.Contains(contains, answer.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Tei_predict_answers_every_dialect_by_score_for_one_string()
    {
        // TEI's documented example: curl 127.0.0.1:8080/predict -X POST -d '{"inputs":"I like you."}' -H 'Content-Type: application/json'
        var (status, body) = await Post("/predict", JsonSerializer.Serialize(new { inputs = Texts[0] }));
        Assert.Equal(HttpStatusCode.OK, status);
        var p = Offline(Texts[0]);
        AssertScores(body, d => p[(int)d]);
    }

    [Fact]
    public async Task Tei_predict_answers_a_list_per_text_for_a_batch()
    {
        // TEI's documented batch: '{"inputs":[["I like you."], ["I hate pineapples"]]}'
        var (status, body) = await Post("/predict", JsonSerializer.Serialize(new { inputs = Texts.Select(t => new[] { t }) }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Texts.Length, body.GetArrayLength());
        for (var i = 0; i < Texts.Length; i++)
        {
            var p = Offline(Texts[i]);
            AssertScores(body[i], d => p[(int)d], tolerance: 1e-5); // batched with the others: padding changes the last digits
        }
    }

    [Fact]
    public async Task Tei_raw_scores_are_the_logits_of_the_probabilities()
    {
        var (status, body) = await Post("/predict", JsonSerializer.Serialize(new { inputs = Texts[1], raw_scores = true }));
        Assert.Equal(HttpStatusCode.OK, status);
        var p = Offline(Texts[1]);
        AssertScores(body, d => Logit(p[(int)d]), tolerance: 1e-4);
        Assert.Contains(body.EnumerateArray(), i => i.GetProperty("score").GetDouble() < 0); // logits, not probabilities
    }

    [Fact]
    public async Task Tei_refuses_a_text_longer_than_the_maximum_length_unless_truncate()
    {
        var longText = string.Join(' ', Enumerable.Repeat("شلونك حبيبي", 20));
        var tokens = _identifier.Tokenizer.Encode(TextPreprocessing(longText), maxLength: null).Count;
        Assert.True(tokens > MaxLength);
        AssertTeiError(HttpStatusCode.RequestEntityTooLarge, await Post("/predict", JsonSerializer.Serialize(new { inputs = longText })), "validation",
            $"must have less than {MaxLength} tokens. Given: {tokens}");
        var (status, body) = await Post("/predict", JsonSerializer.Serialize(new { inputs = longText, truncate = true }));
        Assert.Equal(HttpStatusCode.OK, status);
        var p = Offline(longText);
        AssertScores(body, d => p[(int)d]);
    }

    private string TextPreprocessing(string text) => Lahja.Text.TextPreprocessor.FromPreset(_identifier.Options.Preprocessing).Process(text);

    [Theory]
    [InlineData("{}", "inputs")]
    [InlineData("{\"inputs\": 3}", "must be a string")]
    [InlineData("{\"inputs\": []}", "cannot be empty")]
    [InlineData("{\"inputs\": [\"a\", \"b\"]}", "pairs are not supported")]
    [InlineData("{\"inputs\": [[\"a\", \"b\"]]}", "pairs are not supported")]
    [InlineData("{\"inputs\": [[\"a\"], \"b\"]}", "inputs[1]")]
    [InlineData("{\"inputs\": [[]]}", "inputs[0]")]
    [InlineData("{\"inputs\": \"a\", \"raw_scores\": \"yes\"}", "raw_scores")]
    [InlineData("{\"inputs\": \"a\", \"truncate\": 1}", "truncate")]
    [InlineData("{\"inputs\": ", "")]
    [InlineData("[\"a\"]", "inputs")]
    public async Task Tei_bad_requests_are_422_in_tei_shape(string json, string contains) =>
        AssertTeiError(HttpStatusCode.UnprocessableEntity, await Post("/predict", json), "validation", contains);

    [Fact]
    public async Task Tei_too_many_texts_or_characters_are_413_and_a_wrong_media_type_415()
    {
        AssertTeiError(HttpStatusCode.RequestEntityTooLarge,
            await Post("/predict", JsonSerializer.Serialize(new { inputs = Enumerable.Repeat(new[] { "شلونك" }, 9) })), "validation", "batch size 9 > maximum allowed batch size 8");
        AssertTeiError(HttpStatusCode.RequestEntityTooLarge,
            await Post("/predict", JsonSerializer.Serialize(new { inputs = new string('ش', 301), truncate = true })), "validation", "at most 300");
        AssertTeiError(HttpStatusCode.UnsupportedMediaType, await Post("/predict", "{\"inputs\": \"a\"}", "text/plain"), "validation");
    }

    [Fact]
    public async Task Tei_info_describes_the_classifier_and_the_limits()
    {
        var info = await _server.Client.GetFromJsonAsync<JsonElement>("/info", Token);
        var classifier = info.GetProperty("model_type").GetProperty("classifier");
        Assert.Equal(Dialects.All.Select(d => d.Label()), classifier.GetProperty("id2label").EnumerateObject().Select(p => p.Value.GetString()));
        Assert.Equal(Enumerable.Range(0, Dialects.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            classifier.GetProperty("id2label").EnumerateObject().Select(p => p.Name));
        Assert.Equal((int)Dialect.Egypt, classifier.GetProperty("label2id").GetProperty("Egypt").GetInt32());
        Assert.Equal(MaxLength, info.GetProperty("max_input_length").GetInt32());
        Assert.Equal(8, info.GetProperty("max_client_batch_size").GetInt32());
        Assert.False(info.GetProperty("auto_truncate").GetBoolean());
        Assert.Equal(ServerFixture.Model, info.GetProperty("model_id").GetString());
        foreach (var field in new[] { "model_sha", "model_dtype", "max_concurrent_requests", "max_batch_tokens", "max_batch_requests", "tokenization_workers", "version", "sha", "docker_label" })
            Assert.True(info.TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task Inference_api_answers_a_list_per_input()
    {
        var (status, body) = await Post("/", JsonSerializer.Serialize(new { inputs = Texts[0] }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetArrayLength());
        var p = Offline(Texts[0]);
        AssertScores(body[0], d => p[(int)d]);
        Assert.Equal(["label", "score"], body[0][0].EnumerateObject().Select(e => e.Name));

        (status, body) = await Post("/", JsonSerializer.Serialize(new { inputs = Texts, parameters = new { top_k = 3 } }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Texts.Length, body.GetArrayLength());
        for (var i = 0; i < Texts.Length; i++)
        {
            var q = Offline(Texts[i]);
            AssertScores(body[i], d => q[(int)d], count: 3, tolerance: 1e-5);
        }
    }

    [Fact]
    public async Task Inference_api_function_to_apply_gives_logits_or_a_softmax()
    {
        var p = Offline(Texts[2]);
        var (status, body) = await Post("/", JsonSerializer.Serialize(new { inputs = Texts[2], parameters = new { function_to_apply = "none" } }));
        Assert.Equal(HttpStatusCode.OK, status);
        AssertScores(body[0], d => Logit(p[(int)d]), tolerance: 1e-4);

        (status, body) = await Post("/", JsonSerializer.Serialize(new { inputs = Texts[2], parameters = new { function_to_apply = "softmax", top_k = (int?)null } }));
        Assert.Equal(HttpStatusCode.OK, status);
        var logits = Dialects.All.Select(d => Logit(p[(int)d])).ToArray();
        var sum = logits.Sum(l => Math.Exp(l - logits.Max()));
        AssertScores(body[0], d => Math.Exp(logits[(int)d] - logits.Max()) / sum, tolerance: 1e-5);
        Assert.Equal(1, body[0].EnumerateArray().Sum(i => i.GetProperty("score").GetDouble()), 1e-5);

        (status, body) = await Post("/", JsonSerializer.Serialize(new { inputs = Texts[2], parameters = new { function_to_apply = "sigmoid" } }));
        Assert.Equal(HttpStatusCode.OK, status);
        AssertScores(body[0], d => p[(int)d]);
    }

    [Theory]
    [InlineData("{}", "inputs")]
    [InlineData("{\"inputs\": 1}", "string or an array")]
    [InlineData("{\"inputs\": []}", "empty")]
    [InlineData("{\"inputs\": [\"a\", 2]}", "inputs[1]")]
    [InlineData("{\"inputs\": \"a\", \"parameters\": 3}", "parameters")]
    [InlineData("{\"inputs\": \"a\", \"parameters\": {\"top_k\": 0}}", "top_k")]
    [InlineData("{\"inputs\": \"a\", \"parameters\": {\"top_k\": 19}}", "top_k")]
    [InlineData("{\"inputs\": \"a\", \"parameters\": {\"top_k\": \"3\"}}", "top_k")]
    [InlineData("{\"inputs\": \"a\", \"parameters\": {\"function_to_apply\": \"tanh\"}}", "function_to_apply")]
    [InlineData("{\"inputs\": ", "")]
    public async Task Inference_api_bad_requests_are_400_in_its_shape(string json, string contains) =>
        AssertInferenceError(HttpStatusCode.BadRequest, await Post("/", json), contains);

    [Fact]
    public async Task Inference_api_limits_and_media_type()
    {
        AssertInferenceError(HttpStatusCode.RequestEntityTooLarge, await Post("/", JsonSerializer.Serialize(new { inputs = Enumerable.Repeat("شلونك", 9) })), "at most 8");
        AssertInferenceError(HttpStatusCode.UnsupportedMediaType, await Post("/", "{\"inputs\": \"a\"}", "text/plain"), "application/json");
        // GET / is still the web page.
        using var page = await _server.Client.GetAsync("/", Token);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_openapi_document_covers_the_interoperable_routes()
    {
        var document = await _server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Token);
        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/predict").TryGetProperty("post", out var predict));
        Assert.True(predict.GetProperty("responses").TryGetProperty("422", out _));
        Assert.True(paths.GetProperty("/info").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/").TryGetProperty("post", out var classify));
        Assert.True(classify.TryGetProperty("requestBody", out _));
    }

    [Fact]
    public async Task The_api_key_guards_the_interoperable_routes()
    {
        await using var server = await RunningServer.StartAsync(o => o with { ApiKey = "k" });
        foreach (var (method, path) in new[] { (HttpMethod.Post, "/predict"), (HttpMethod.Get, "/info"), (HttpMethod.Post, "/") })
        {
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post) request.Content = JsonContent.Create(new { inputs = "شلونك" });
            using var refused = await server.Client.SendAsync(request, Token);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using var again = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post) again.Content = JsonContent.Create(new { inputs = "شلونك" });
            again.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "k");
            using var ok = await server.Client.SendAsync(again, Token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var page = await server.Client.GetAsync("/", Token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task The_huggingface_inference_npm_client_classifies_through_post_root()
    {
        var script = Path.Combine(ReferenceTools.ReferenceDirectory, "hf_text_classification.mjs");
        var node = FindNode();
        if (!Directory.Exists(Path.Combine(ReferenceTools.ReferenceDirectory, "node_modules", "@huggingface", "inference")) || node is null)
            Assert.Skip("@huggingface/inference is not installed (cd tools/reference && npm ci), or node is not on PATH.");
        foreach (var topK in new[] { "all", "2" })
        {
            var output = ReferenceTools.Run(node, [script, _server.Address.ToString(), topK, .. Texts]);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Texts.Length, lines.Length);
            for (var i = 0; i < Texts.Length; i++)
            {
                var p = Offline(Texts[i]);
                AssertScores(JsonDocument.Parse(lines[i]).RootElement, d => p[(int)d], count: topK == "all" ? Dialects.Count : 2);
            }
        }
    }

    private static string? FindNode() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(d => d.Length > 0).Select(d => Path.Combine(d, "node")).FirstOrDefault(File.Exists);
}
