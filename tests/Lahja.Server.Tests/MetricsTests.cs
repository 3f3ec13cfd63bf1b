using System.Globalization;
using System.Net;
using System.Text;

namespace Lahja.Server.Tests;

/// <summary>
/// <c>GET /metrics</c>: the server's meter through OpenTelemetry's Prometheus exporter, under the names the docs,
/// the benchmarks and dashboards use (the first "batch" names for passes included), each server with its own counts.
/// </summary>
public sealed class MetricsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The scrape, and each sample's value by its name and labels as written (<c>name{le="1"}</c>).</summary>
    private static async Task<(string Text, Dictionary<string, double> Values)> Scrape(RunningServer server)
    {
        var text = await server.Client.GetStringAsync("/metrics", Token);
        Assert.Contains("lahja_texts_total{} ", text);
        text = text.Replace("{} ", " ", StringComparison.Ordinal);
        var values = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        return (text, values);
    }

    private static async Task Post(RunningServer server, string path, string json)
    {
        using var response = await server.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Each_server_exports_its_own_requests_passes_and_latencies_under_the_documented_names()
    {
        await using var busy = await RunningServer.StartAsync();
        await using var idle = await RunningServer.StartAsync();
        for (var i = 0; i < 3; i++) await Post(busy, "/v1/identify", "{\"texts\": [\"شلونك\", \"كيفك\"]}");
        await Post(busy, "/predict", "{\"inputs\": \"شلونك\"}");

        var (text, metrics) = await Scrape(busy);
        Assert.Equal(4, metrics["lahja_identify_requests_total"]);
        Assert.Equal(4, metrics["lahja_identify_duration_seconds_count"]);
        Assert.Equal(4, metrics["lahja_identify_duration_seconds_bucket{le=\"+Inf\"}"]);
        foreach (var bound in new[] { "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10" })
            Assert.True(metrics.ContainsKey($"lahja_identify_duration_seconds_bucket{{le=\"{bound}\"}}"), $"no bucket {bound} in:\n{text}");
        Assert.Equal(7, metrics["lahja_texts_total"]);
        Assert.InRange(metrics["lahja_passes_total"], 4, 7);
        Assert.Equal(metrics["lahja_passes_total"], metrics["lahja_batches_total"]);
        Assert.Equal(metrics["lahja_texts_total"] / metrics["lahja_passes_total"], metrics["lahja_pass_texts_mean"], 1e-9);
        Assert.Equal(metrics["lahja_pass_texts_mean"], metrics["lahja_batch_texts_mean"]);
        Assert.True(metrics["lahja_model_busy_seconds_total"] > 0);
        Assert.True(metrics["lahja_texts_per_second"] > 0);
        Assert.Equal(0, metrics["lahja_queue_texts"]);
        Assert.Contains("# TYPE lahja_texts_total counter\n", text);
        Assert.Contains("# TYPE lahja_passes_total counter\n", text);
        Assert.Contains("# TYPE lahja_queue_texts gauge\n", text);
        Assert.Contains("# TYPE lahja_identify_duration_seconds histogram\n", text);

        // The other server, in the same process, saw none of it.
        var (_, other) = await Scrape(idle);
        Assert.Equal(0, other["lahja_texts_total"]);
        Assert.Equal(0, other["lahja_passes_total"]);
        Assert.Equal(0, other.GetValueOrDefault("lahja_identify_requests_total"));
    }
}
