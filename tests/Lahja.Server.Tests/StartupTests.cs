using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Lahja.Server.Tests;

/// <summary>Start-up: addresses checked before the model loads, the bound addresses reported, a port in use a clear error.</summary>
public sealed class StartupTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("5097", "http://127.0.0.1:5097")]
    [InlineData("localhost:5097", "localhost:5097")]
    [InlineData("ftp://127.0.0.1:5097", "http or https")]
    [InlineData("ftp://example.org", "ftp://example.org")]
    [InlineData("http://127.0.0.1:99999", "port")]
    [InlineData(" ; ", "no address")]
    public void Urls_that_are_not_addresses_are_refused_before_the_model_loads(string urls, string named)
    {
        // The model does not exist: the address must be refused first, without trying to load it.
        var error = Assert.Throws<ArgumentException>(() => LahjaServer.Build(new ServerOptions { Identifier = ServerFixture.Identifier, Model = "/nonexistent/model", Urls = urls }));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Start_reports_the_bound_address_with_the_chosen_port()
    {
        var app = LahjaServer.Build(new ServerOptions { Identifier = ServerFixture.Identifier, Model = ServerFixture.Model, Urls = "http://127.0.0.1:0" });
        await using (app)
        {
            var address = new Uri((await LahjaServer.StartAsync(app, Token)).Single());
            Assert.NotEqual(0, address.Port);
            using var client = new HttpClient { BaseAddress = address };
            using var health = await client.GetAsync("/healthz", Token);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            await app.StopAsync(Token);
        }
    }

    [Fact]
    public async Task A_port_in_use_is_one_clear_error_without_a_logged_stack_trace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var logs = new CapturedLogs();
        var app = LahjaServer.Build(new ServerOptions { Identifier = ServerFixture.Identifier, Model = ServerFixture.Model, Urls = $"http://127.0.0.1:{port}" });
        await using (app)
        {
            app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().AddProvider(logs);
            var error = await Assert.ThrowsAsync<IOException>(() => LahjaServer.StartAsync(app, Token));
            Assert.Contains($"127.0.0.1:{port}", error.Message);
            Assert.Contains("in use", error.Message);
        }
        Assert.All(logs.Entries, e => Assert.True(e.Exception is null, e.ToString()));
    }
}
