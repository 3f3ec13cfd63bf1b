using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lahja.Server.Tests;

/// <summary>
/// A user's own ASP.NET Core app on a free loopback port: <c>WebApplication.CreateBuilder</c>'s defaults (camelCase
/// JSON), <c>AddDialectIdentifier</c> on a model, a route of its own at <c>/host</c>, and the one-line mapping (or what
/// <c>map</c> maps); stopped and disposed at the end.
/// </summary>
public sealed class HostedApp : IAsyncDisposable
{
    private HostedApp(WebApplication app, Uri address)
    {
        App = app;
        Client = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<HostedApp> StartAsync(string? model = null, Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null, CapturedLogs? logs = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddDialectIdentifier(settings =>
        {
            settings.Model = model ?? ServerFixture.Model;
            settings.Engine = ServerFixture.Identifier.Engine;
        });
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGet("/host", () => new { HostValue = 1 });
        if (map is null) app.MapDialectIdentification();
        else map(app);
        var addresses = await LahjaServer.StartAsync(app, TestContext.Current.CancellationToken);
        return new HostedApp(app, new Uri(addresses.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
