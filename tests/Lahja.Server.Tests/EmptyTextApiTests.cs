using System.Net;
using System.Text;
using System.Text.Json;

namespace Lahja.Server.Tests;

/// <summary>Texts with nothing to classify get no dialects and say why (issue 12, section 6).</summary>
public sealed class EmptyTextApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Empty_and_preprocessed_away_texts_get_no_dialects_and_a_reason()
    {
        // Threshold 0 predicts every dialect of a real text, whatever its probabilities: the empty ones must still get none.
        var json = JsonSerializer.Serialize(new { texts = new[] { "", "  ", "hello world 123", "شلونك" }, threshold = 0 });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync("/v1/identify", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var results = body.RootElement.GetProperty("results").EnumerateArray().ToArray();
        string?[] reasons = ["empty_text", "empty_text", "nothing_after_preprocessing", null];
        for (var i = 0; i < results.Length; i++)
        {
            var reason = results[i].TryGetProperty("empty_reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            Assert.Equal(reasons[i], reason);
            Assert.Equal(reasons[i] is null ? Dialects.All.Count : 0, results[i].GetProperty("dialects").GetArrayLength());
            Assert.Equal(reasons[i] is null ? 3 : 0, results[i].GetProperty("top").GetArrayLength());
        }
    }
}
