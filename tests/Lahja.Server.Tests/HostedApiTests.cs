using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Lahja.Server.Tests;

/// <summary>
/// The API mapped into a user's ASP.NET Core app by one line (<c>app.MapDialectIdentification()</c>) on the identifier
/// of <c>AddDialectIdentifier</c>: it answers as <c>lahja serve</c> does whatever the app's JSON options, its health
/// check reports the model, and its metrics and logs reach the app's listeners.
/// </summary>
public sealed class HostedApiTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A fixed planner for both sides: the cost-based one measures the pass overhead, which /v1/model reports and no two runs measure alike.</summary>
    private static readonly BatchPlanner Planner = BatchPlanner.Fixed(32);

    /// <summary>JSON as the API writes it: Arabic as itself.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static async Task<(int Status, string? ContentType, string Body)> Send(HttpClient client, HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            // A body over the server's limit is refused from its Content-Length, unread, and the connection closed: a
            // client still writing it then fails with a broken pipe (seen once in CI). Waiting for "100 Continue"
            // leaves the body unsent when the answer is the refusal.
            request.Headers.ExpectContinue = body.Length > 1_000_000;
        }
        using var response = await client.SendAsync(request, Token);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync(Token));
    }

    /// <summary>A problem's body without its trace id, which differs from request to request.</summary>
    private static string WithoutTraceId(string body)
    {
        if (JsonNode.Parse(body) is not JsonObject problem || !problem.ContainsKey("trace_id")) return body;
        Assert.False(string.IsNullOrEmpty(problem["trace_id"]!.GetValue<string>()));
        problem.Remove("trace_id");
        return problem.ToJsonString(Relaxed);
    }

    [Fact]
    public async Task The_mapped_api_answers_byte_for_byte_as_lahja_serve_in_an_app_with_camelCase_json()
    {
        await using var serve = await RunningServer.StartAsync(o => o with { Planner = Planner });
        await using var hosted = await HostedApp.StartAsync(configure: b => b.Services.Configure<DialectApiOptions>(o => o.Planner = Planner));
        // The app's own JSON is ASP.NET Core's default, camelCase.
        Assert.Equal("{\"hostValue\":1}", (await Send(hosted.Client, HttpMethod.Get, "/host")).Body);

        var requests = new (HttpMethod Method, string Path, string? Body, string ContentType)[]
        {
            (HttpMethod.Post, "/v1/identify", "{\"text\": \"شلونك حبيبي\"}", "application/json"),
            (HttpMethod.Post, "/v1/identify", "{\"texts\": [\"إزيك يا باشا\", \"  \"], \"top_k\": 5, \"dialects\": [\"EG\", \"Lebanon\"], \"threshold\": 0.1}", "application/json"),
            (HttpMethod.Get, "/v1/dialects", null, ""),
            (HttpMethod.Get, "/v1/model", null, ""),
            // Bad bodies: each the same 4xx problem.
            (HttpMethod.Post, "/v1/identify", "{\"text\": ", "application/json"),
            (HttpMethod.Post, "/v1/identify", "[1]", "application/json"),
            (HttpMethod.Post, "/v1/identify", "{\"text\": 5}", "application/json"),
            (HttpMethod.Post, "/v1/identify", "{\"texts\": []}", "application/json"),
            (HttpMethod.Post, "/v1/identify", "{\"text\": \"a\", \"top_k\": 19}", "application/json"),
            (HttpMethod.Post, "/v1/identify", "{\"text\": \"a\", \"dialects\": [\"Atlantis\"]}", "application/json"),
            (HttpMethod.Post, "/v1/identify", JsonSerializer.Serialize(new { texts = Enumerable.Repeat("a", 257) }), "application/json"),
            (HttpMethod.Post, "/v1/identify", JsonSerializer.Serialize(new { text = new string('ب', 5001) }), "application/json"),
            (HttpMethod.Post, "/v1/identify", JsonSerializer.Serialize(new { text = new string('a', 2_000_001) }), "application/json"),
            (HttpMethod.Post, "/v1/identify", "{\"text\": \"a\"}", "text/plain"),
        };
        foreach (var (method, path, body, contentType) in requests)
        {
            var expected = await Send(serve.Client, method, path, body, contentType);
            var actual = await Send(hosted.Client, method, path, body, contentType);
            var what = $"{method} {path} {body?[..Math.Min(body.Length, 60)]} ({contentType})";
            Assert.True(expected.Status == actual.Status, $"{what}: lahja serve {expected.Status} {expected.Body}, the app {actual.Status} {actual.Body}");
            Assert.True(expected.ContentType == actual.ContentType, $"{what}: {expected.ContentType} vs {actual.ContentType}");
            Assert.Equal(WithoutTraceId(expected.Body), WithoutTraceId(actual.Body));
            if (expected.Status >= 400) Assert.Equal("application/problem+json", actual.ContentType);
        }
    }

    [Fact]
    public async Task The_openapi_document_lists_json_as_identifys_only_body()
    {
        // The route accepts any media type so that its own handler, not routing, answers a wrong one with a problem.
        await using var serve = await RunningServer.StartAsync();
        var document = JsonDocument.Parse((await Send(serve.Client, HttpMethod.Get, "/openapi/v1.json")).Body).RootElement;
        var content = document.GetProperty("paths").GetProperty("/v1/identify").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.Equal(["application/json"], content.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_api_goes_under_a_prefix_and_beside_the_apps_own_routes()
    {
        await using var hosted = await HostedApp.StartAsync(map: app => app.MapDialectIdentification("/lahja"));
        var (status, _, body) = await Send(hosted.Client, HttpMethod.Post, "/lahja/v1/identify", "{\"text\": \"شلونك\"}");
        Assert.Equal(200, status);
        Assert.Equal("شلونك", JsonDocument.Parse(body).RootElement.GetProperty("results")[0].GetProperty("text").GetString());
        Assert.Equal(18, JsonDocument.Parse((await Send(hosted.Client, HttpMethod.Get, "/lahja/v1/dialects")).Body).RootElement.GetArrayLength());
        Assert.Equal(404, (await Send(hosted.Client, HttpMethod.Post, "/v1/identify", "{\"text\": \"شلونك\"}")).Status);
        Assert.Equal(200, (await Send(hosted.Client, HttpMethod.Get, "/host")).Status);
    }

    [Fact]
    public async Task Mapping_without_an_identifier_says_to_register_one()
    {
        var builder = WebApplication.CreateBuilder();
        await using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapDialectIdentification());
        Assert.Contains("AddDialectIdentifier", error.Message);
    }

    [Fact]
    public async Task A_meter_listener_sees_the_request_counter_and_latency_of_one_request()
    {
        await using var hosted = await HostedApp.StartAsync();
        var factory = hosted.App.Services.GetRequiredService<IMeterFactory>();
        long requests = 0;
        var durations = new List<double>();
        using var listener = new MeterListener
        {
            // This app's meter only: other tests' apps run in the same process.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == DialectApiOptions.MeterName && instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "lahja.identify.requests") Interlocked.Add(ref requests, value);
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "lahja.identify.duration") lock (durations) durations.Add(value);
        });
        listener.Start();

        Assert.Equal(200, (await Send(hosted.Client, HttpMethod.Post, "/v1/identify", "{\"texts\": [\"شلونك\", \"كيفك\"]}")).Status);
        Assert.Equal(1, Interlocked.Read(ref requests));
        lock (durations) Assert.True(durations.Count == 1 && durations[0] > 0, string.Join(", ", durations));
        // The observable instruments read the batcher the request went through.
        var texts = new List<long>();
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "lahja.texts") texts.Add(value);
        });
        listener.RecordObservableInstruments();
        Assert.Equal([2L], texts);
    }

    [Fact]
    public async Task The_model_load_and_failed_requests_are_logged_under_categories_that_say_so()
    {
        var logs = new CapturedLogs();
        await using (var hosted = await HostedApp.StartAsync(logs: logs))
        {
            Assert.Equal(200, (await Send(hosted.Client, HttpMethod.Post, "/v1/identify", "{\"text\": \"شلونك\"}")).Status);
            Assert.Equal(400, (await Send(hosted.Client, HttpMethod.Post, "/v1/identify", "{\"text\": 5}")).Status);
        }
        var entries = logs.Entries;
        var loaded = Assert.Single(entries, e => e.Category == "Lahja.Server.Model" && e.Message.StartsWith("Loaded", StringComparison.Ordinal));
        Assert.Contains(ServerFixture.Model, loaded.Message);
        var failed = Assert.Single(entries, e => e.Category == "Lahja.Server.Requests");
        Assert.Equal(LogLevel.Information, failed.Level);
        Assert.Equal("POST /v1/identify answered 400: \"text\" must be a string.", failed.Message);
    }

    [Fact]
    public async Task The_health_check_is_healthy_once_the_model_loads_and_answers()
    {
        var logs = new CapturedLogs();
        await using var hosted = await HostedApp.StartAsync(configure: b => b.Services.AddHealthChecks().AddDialectIdentifier(),
            map: app =>
            {
                app.MapHealthChecks("/health");
                app.MapDialectIdentification();
            }, logs: logs);
        var (status, _, body) = await Send(hosted.Client, HttpMethod.Get, "/health");
        Assert.Equal((200, "Healthy"), (status, body));
        var report = await hosted.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Token);
        var entry = report.Entries["dialect_identifier"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(ServerFixture.Model, entry.Data["model"]);
        // The routes use the model the check loaded: it loaded once.
        var model = JsonDocument.Parse((await Send(hosted.Client, HttpMethod.Get, "/v1/model")).Body).RootElement;
        Assert.Equal(ServerFixture.Model, model.GetProperty("directory").GetString());
        Assert.Equal(200, (await Send(hosted.Client, HttpMethod.Post, "/v1/identify", "{\"text\": \"شلونك\"}")).Status);
        Assert.Single(logs.Entries, e => e.Category == "Lahja.Server.Model" && e.Message.StartsWith("Loaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_model_that_cannot_load_is_unhealthy_with_its_error_and_the_api_answers_503()
    {
        using var directory = new TemporaryDirectory();
        foreach (var file in Directory.GetFiles(ServerFixture.Model)) File.Copy(file, Path.Combine(directory.Path, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(directory.Path, "config.json"), "{ \"hidden_size\": ");
        var loadError = Assert.ThrowsAny<Exception>(() => ServerFixture.Load(directory.Path)).Message;
        var logs = new CapturedLogs();
        await using var hosted = await HostedApp.StartAsync(directory.Path, b => b.Services.AddHealthChecks().AddDialectIdentifier(),
            app =>
            {
                app.MapHealthChecks("/health");
                app.MapDialectIdentification();
            }, logs);

        var (status, _, body) = await Send(hosted.Client, HttpMethod.Get, "/health");
        Assert.Equal((503, "Unhealthy"), (status, body));
        var report = await hosted.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Token);
        var entry = report.Entries["dialect_identifier"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains(loadError, entry.Description);
        Assert.DoesNotContain("   at ", entry.Description);
        Assert.Null(entry.Exception);

        foreach (var (method, path, request) in new[] { (HttpMethod.Post, "/v1/identify", "{\"text\": \"شلونك\"}"), (HttpMethod.Get, "/v1/model", null) })
        {
            var answer = await Send(hosted.Client, method, path, request);
            Assert.Equal(503, answer.Status);
            Assert.Equal("application/problem+json", answer.ContentType);
            Assert.DoesNotContain("Exception", answer.Body);
        }
        Assert.Contains(logs.Entries, e => e.Category == "Lahja.Server.Model" && e.Level == LogLevel.Error && e.Message.Contains(loadError) && e.Exception is null);
    }

    [Fact]
    public async Task Lahja_serve_readyz_keeps_its_shape_on_the_health_check()
    {
        await using var serve = await RunningServer.StartAsync();
        var (status, type, body) = await Send(serve.Client, HttpMethod.Get, "/readyz");
        Assert.Equal(200, status);
        Assert.StartsWith("application/json", type);
        Assert.Equal(JsonSerializer.Serialize(new { status = "ready", model = ServerFixture.Model }, Relaxed), body);
    }
}
