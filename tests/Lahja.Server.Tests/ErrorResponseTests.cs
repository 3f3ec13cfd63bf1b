using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Text;
using Microsoft.Extensions.Logging;

namespace Lahja.Server.Tests;

/// <summary>Every 4xx/5xx is an RFC 7807 problem with a body, an unexpected error included; what the log gets for them.</summary>
public sealed class ErrorResponseTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync(Token);
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        // Nothing of the server's insides: no stack frame, no exception type.
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("Exception", body);
        return problem;
    }

    [Theory]
    [InlineData("POST", "/v1/identify", "text/plain", "{\"text\": \"a\"}", null, 415)]
    [InlineData("POST", "/v1/identify", "application/xml", "<text>a</text>", null, 415)]
    [InlineData("POST", "/v1/identify", "application/x-www-form-urlencoded", "text=a", null, 415)]
    [InlineData("GET", "/v1/identify", null, null, null, 405)]
    [InlineData("PUT", "/v1/identify", "application/json", "{\"text\": \"a\"}", null, 405)]
    [InlineData("POST", "/v1/model", "application/json", "{}", null, 405)]
    [InlineData("DELETE", "/v1/dialects", null, null, null, 405)]
    [InlineData("GET", "/v1/nope", null, null, null, 404)]
    [InlineData("POST", "/v1/nope", "application/json", "{}", null, 404)]
    [InlineData("GET", "/v1/nope", null, null, "text/html", 404)]
    [InlineData("GET", "/no-such-page.html", null, null, null, 404)]
    public async Task Error_statuses_are_problems_with_a_body(string method, string path, string? contentType, string? body, string? accept, int status)
    {
        await using var server = await RunningServer.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType!);
        }
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        using var response = await server.Client.SendAsync(request, Token);
        var problem = await AssertProblem(response, status);
        if (status == 405)
        {
            // The problem says what the route does accept, as the Allow header does.
            var allowed = response.Content.Headers.Allow.Concat(response.Headers.TryGetValues("Allow", out var values) ? values : []).ToArray();
            Assert.NotEmpty(allowed);
            Assert.All(allowed, m => Assert.Contains(m, problem.GetProperty("detail").GetString()));
        }
    }

    /// <summary>How the stand-in engine misbehaves.</summary>
    public enum Fault
    {
        Throws,
        NaN,
        Infinity,
    }

    /// <summary>An engine that fails in the chosen way, standing for a broken checkpoint or a bug.</summary>
    private sealed class FaultyEngine(Fault fault) : IDialectEngine, IDialectEngineFactory
    {
        public const string Secret = "engine internals: do not show";

        public int NumLabels => 18;

        public string Name => "faulty";

        public bool CanLoad(string modelDirectory) => true;

        public float[] PredictProbabilities(TokenizedBatch batch) => fault switch
        {
            Fault.Throws => throw new InvalidOperationException(Secret),
            Fault.NaN => Enumerable.Repeat(float.NaN, batch.Count * NumLabels).ToArray(),
            _ => Enumerable.Repeat(float.PositiveInfinity, batch.Count * NumLabels).ToArray(),
        };

        public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads) => this;

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData(Fault.Throws)]
    [InlineData(Fault.NaN)]
    [InlineData(Fault.Infinity)]
    public async Task An_unexpected_failure_is_a_500_problem_logged_once(Fault fault)
    {
        var logs = new CapturedLogs();
        await using (var server = await RunningServer.StartAsync(o => o with
        {
            // A fixed planner: measuring the pass overhead would run the faulty engine at start.
            Planner = BatchPlanner.Fixed(32),
            MaxWaitMilliseconds = 0,
            Identifier = new DialectIdentifierOptions { Engine = new FaultyEngine(fault) },
        }, logs))
        {
            using var response = await server.Client.PostAsync("/v1/identify", new StringContent("{\"text\": \"شلونك\"}", Encoding.UTF8, "application/json"), Token);
            var problem = await AssertProblem(response, 500);
            Assert.DoesNotContain(FaultyEngine.Secret, problem.GetRawText());
            // The server goes on.
            using var health = await server.Client.GetAsync("/healthz", Token);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).ToArray();
        Assert.True(errors.Length == 1, string.Join("\n---\n", logs.Entries));
        if (fault == Fault.Throws) Assert.Equal(FaultyEngine.Secret, errors[0].Exception?.Message);
    }

    [Fact]
    public async Task A_slow_body_past_the_timeout_gets_504_and_at_most_one_short_log_line()
    {
        const int requests = 3;
        var logs = new CapturedLogs();
        await using (var server = await RunningServer.StartAsync(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) }, logs))
        {
            for (var i = 0; i < requests; i++)
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(server.Address.Host, server.Address.Port, Token);
                var stream = tcp.GetStream();
                // Promises 100 bytes of body, sends 10 and then nothing: only the timeout can end the request.
                var head = "POST /v1/identify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\": \"";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Token);
                using var reader = new StreamReader(stream, Encoding.ASCII);
                var status = await reader.ReadLineAsync(Token);
                Assert.StartsWith("HTTP/1.1 504", status);
            }
        }
        // Stopped: whatever the connections logged, up to their end, is in.
        var entries = logs.Entries;
        Assert.True(entries.Count <= requests, string.Join("\n---\n", entries));
        Assert.All(entries, e => Assert.True(e.Exception is null && !e.Message.Contains('\n'), e.ToString()));
    }
}
