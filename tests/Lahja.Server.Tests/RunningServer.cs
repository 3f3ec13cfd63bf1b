using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lahja.Server.Tests;

/// <summary>A started server on a free loopback port with a client for it; stopped and disposed at the end.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>
    /// Starts a server on the tiny fixture checkpoint; <paramref name="configure"/> changes the options, and
    /// <paramref name="logs"/>, when given, receives what the server logs (after its own level filters).
    /// </summary>
    public static async Task<RunningServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, CapturedLogs? logs = null)
    {
        var options = new ServerOptions { Identifier = ServerFixture.Identifier, Model = ServerFixture.Model, Urls = "http://127.0.0.1:0" };
        var app = LahjaServer.Build(configure is null ? options : configure(options));
        if (logs is not null) app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var addresses = await LahjaServer.StartAsync(app);
        return new RunningServer(app, new Uri(addresses.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
