using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lahja.Text;

namespace Lahja.Server.Tests;

/// <summary>Per-request preprocessing, API key, CORS, timeouts, graceful shutdown, OpenAPI and the static files.</summary>
public sealed class ServiceFeatureTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static float[][] Probabilities(JsonElement body) =>
        [.. body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray())];

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement.Clone();

    [Fact]
    public async Task Preprocess_per_request_equals_offline_prediction_with_that_preset()
    {
        // Diacritics, elongation, a URL, an emoji and Latin letters: texts the b2bert preset changes before tokenizing.
        string[] texts = ["شْلُونَكْ حبيبييييي 😂 https://example.com", "إزيك يا باشا @user #مصر", "Hello كيفك شو عم تعمل"];
        await using var server = await RunningServer.StartAsync();
        using var b2bert = ServerFixture.Load(ServerFixture.Model);
        using var none = ServerFixture.Load(ServerFixture.Model, new DialectIdentifierOptions { Preprocessing = TextPreprocessor.NonePresetName });
        foreach (var (preset, offline) in new[] { ("none", none), ("B2BERT", b2bert), ((string?)null, b2bert) })
        {
            using var response = await server.Client.PostAsync("/v1/identify", Json(preset is null ? new { texts } : new { texts, preprocess = preset }), Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var served = Probabilities(await Body(response));
            var expected = offline.Predict(texts);
            for (var i = 0; i < texts.Length; i++)
                for (var d = 0; d < 18; d++)
                    Assert.Equal(expected[i].Probabilities[d], served[i][d], 1e-6);
        }
        // The presets really differ on these texts, so the comparison above tells them apart.
        var withNone = none.Predict(texts);
        var withB2Bert = b2bert.Predict(texts);
        Assert.Contains(Enumerable.Range(0, texts.Length), i => Enumerable.Range(0, 18).Any(d => Math.Abs(withNone[i].Probabilities[d] - withB2Bert[i].Probabilities[d]) > 1e-4));
    }

    [Fact]
    public async Task Api_key_guards_v1_and_leaves_the_page_and_health_open()
    {
        await using var server = await RunningServer.StartAsync(o => o with { ApiKey = "s3cret-key" });
        async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? authorization, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            if (body is not null) request.Content = Json(body);
            return await server.Client.SendAsync(request, Token);
        }

        foreach (var authorization in new[] { null, "Bearer wrong", "Bearer s3cret-ke", "Basic s3cret-key", "s3cret-key" })
        {
            using var refused = await Send(HttpMethod.Post, "/v1/identify", authorization, new { text = "شلونك" });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
            var problem = await Body(refused);
            Assert.Equal(401, problem.GetProperty("status").GetInt32());
            Assert.Equal("Authorization", problem.GetProperty("field").GetString());
            using var model = await Send(HttpMethod.Get, "/v1/model", authorization);
            Assert.Equal(HttpStatusCode.Unauthorized, model.StatusCode);
        }
        using (var ok = await Send(HttpMethod.Post, "/v1/identify", "Bearer s3cret-key", new { text = "شلونك" }))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var ok = await Send(HttpMethod.Get, "/v1/dialects", "bearer s3cret-key"))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        foreach (var open in new[] { "/healthz", "/readyz", "/metrics", "/", "/app.js", "/openapi/v1.json", "/docs/" })
        {
            using var response = await Send(HttpMethod.Get, open, null);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{open}: {response.StatusCode}");
        }
        // The OpenAPI document tells clients (and the docs page's Authorize button) about the key.
        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Token);
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Cors_allows_the_named_origins_only()
    {
        await using var server = await RunningServer.StartAsync(o => o with { CorsOrigins = ["https://app.example"], ApiKey = "k" });
        using (var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/identify"))
        {
            preflight.Headers.Add("Origin", "https://app.example");
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            using var response = await server.Client.SendAsync(preflight, Token);
            // A preflight carries no credentials, so it must pass before the API key check.
            Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
            Assert.Equal("https://app.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")));
        }
        foreach (var (origin, allowed) in new[] { ("https://app.example", true), ("https://evil.example", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/identify") { Content = Json(new { text = "كيفك" }) };
            request.Headers.Add("Origin", origin);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
            using var response = await server.Client.SendAsync(request, Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Origin"));
        }
        await using var closed = await RunningServer.StartAsync();
        using var noCors = new HttpRequestMessage(HttpMethod.Post, "/v1/identify") { Content = Json(new { text = "كيفك" }) };
        noCors.Headers.Add("Origin", "https://app.example");
        using var plain = await closed.Client.SendAsync(noCors, Token);
        Assert.False(plain.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_malformed_chunked_body_is_a_400_problem_not_a_500()
    {
        await using var server = await RunningServer.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Address.Host, server.Address.Port, Token);
        var stream = tcp.GetStream();
        var request = "POST /v1/identify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                      "5\r\n{\"tex\r\nzz\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var head = new List<string>();
        for (var line = await reader.ReadLineAsync(Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(Token)) head.Add(line);
        Assert.StartsWith("HTTP/1.1 400", head[0]);
        Assert.Contains("Content-Type: application/problem+json", head);
    }

    [Fact]
    public async Task A_request_past_its_timeout_gets_504_and_the_server_goes_on()
    {
        // The batcher waits up to 20 s for company, far past the 2 s timeout: the request can only end by timing out.
        // (2 s, not less: the full batch below must finish within it on a loaded 2-core machine.)
        await using var server = await RunningServer.StartAsync(o => o with { RequestTimeout = TimeSpan.FromSeconds(2), MaxWaitMilliseconds = 20_000, MaxBatchTexts = 64 });
        using var response = await server.Client.PostAsync("/v1/identify", Json(new { text = "شلونك" }), Token);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var problem = await Body(response);
        Assert.Equal(504, problem.GetProperty("status").GetInt32());
        Assert.Equal("Timed out", problem.GetProperty("title").GetString());
        // A full batch runs at once, so a 64-text request is answered within the timeout.
        using var full = await server.Client.PostAsync("/v1/identify", Json(new { texts = Enumerable.Range(0, 64).Select(i => $"نص {i}") }), Token);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
    }

    [Fact]
    public async Task Stopping_finishes_the_requests_in_flight()
    {
        // The batch would wait ten minutes for company, so the request is surely still in flight when the stop comes;
        // it must then run at once and be answered well within the 30 s shutdown timeout.
        var server = await RunningServer.StartAsync(o => o with { MaxWaitMilliseconds = 600_000, MaxBatchTexts = 64, ShutdownTimeout = TimeSpan.FromSeconds(30) });
        try
        {
            var inFlight = server.Client.PostAsync("/v1/identify", Json(new { texts = new[] { "شلونك", "كيفك" } }), Token);
            while (!(await server.Client.GetStringAsync("/metrics", Token)).Replace("{} ", " ", StringComparison.Ordinal).Contains("lahja_queue_texts 2\n"))
                await Task.Delay(10, Token);
            Assert.False(inFlight.IsCompleted);
            var stopping = server.App.StopAsync(Token);
            using var response = await inFlight;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, (await Body(response)).GetProperty("results").GetArrayLength());
            await stopping;
            await Assert.ThrowsAsync<HttpRequestException>(() => server.Client.GetAsync("/healthz", Token));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task OpenApi_document_and_offline_docs_page()
    {
        await using var server = await RunningServer.StartAsync();
        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Token);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/v1/identify", "/v1/dialects", "/v1/model", "/healthz", "/readyz", "/metrics" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        var identify = paths.GetProperty("/v1/identify").GetProperty("post");
        Assert.True(identify.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        foreach (var status in new[] { "200", "400", "413", "415", "503", "504" })
            Assert.True(identify.GetProperty("responses").TryGetProperty(status, out _), status);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var request = schemas.GetProperty("IdentifyRequest").GetProperty("properties");
        foreach (var field in new[] { "text", "texts", "threshold", "relative_threshold", "top_k", "preprocess", "dialects" })
            Assert.True(request.TryGetProperty(field, out _), field);

        using var redirect = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Address }.GetAsync("/docs", Token);
        Assert.Equal("/docs/", redirect.Headers.Location?.OriginalString);
        var page = await server.Client.GetStringAsync("/docs/", Token);
        Assert.Contains("swagger-ui/swagger-ui-bundle.js", page);
        Assert.Contains("docs.js", page);
        // Everything the docs page loads is served from here: no CDN.
        Assert.DoesNotContain("https://", page);
        foreach (var asset in new[] { "/docs/docs.js", "/docs/swagger-ui/swagger-ui-bundle.js", "/docs/swagger-ui/swagger-ui.css", "/docs/swagger-ui/LICENSE.txt" })
        {
            using var response = await server.Client.GetAsync(asset, Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, asset);
        }
    }

    [Fact]
    public async Task Web_page_is_arabic_right_to_left_and_its_assets_are_local()
    {
        await using var server = await RunningServer.StartAsync();
        using var response = await server.Client.GetAsync("/", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync(Token);
        Assert.Contains("<html lang=\"ar\" dir=\"rtl\">", page);
        Assert.DoesNotContain("https://", page);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org", ""));
        var script = await server.Client.GetStringAsync("/app.js", Token);
        Assert.DoesNotContain("https://", script);
        // The map holds one shape for each of the 18 dialect countries, keyed by the same ISO codes as /v1/dialects.
        var map = await server.Client.GetFromJsonAsync<JsonElement>("/map/arab-world.json", Token);
        var dialects = await server.Client.GetFromJsonAsync<JsonElement>("/v1/dialects", Token);
        Assert.Equal(dialects.EnumerateArray().Select(d => d.GetProperty("iso").GetString()).Order(),
            map.GetProperty("countries").EnumerateArray().Select(c => c.GetProperty("iso").GetString()).Order());
        Assert.All(map.GetProperty("countries").EnumerateArray(), c => Assert.StartsWith("M", c.GetProperty("d").GetString()));
        Assert.Contains("public domain", await server.Client.GetStringAsync("/map/LICENSE.txt", Token));
    }
}
