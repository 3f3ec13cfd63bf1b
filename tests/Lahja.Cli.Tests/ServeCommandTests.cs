using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Lahja.Cli.Tests;

public class ServeCommandTests
{
    private static readonly string Model = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("--pass-overhead-tokens", "banana", "--pass-overhead-tokens")]
    [InlineData("--pass-overhead-tokens", "-3", "--pass-overhead-tokens")]
    [InlineData("--batch-size", "0", "--batch-size")]
    [InlineData("--max-batch-tokens", "0", "--max-batch-tokens")]
    [InlineData("--max-pool-texts", "0", "--max-pool-texts")]
    [InlineData("--max-batch-texts", "0", "--max-pool-texts")]
    [InlineData("--max-wait-ms", "-1", "--max-wait-ms")]
    public void Bad_batching_settings_are_usage_errors(string option, string value, string named)
    {
        var (exit, _, error) = CliRunner.Run("", "serve", "-m", Model, "--urls", "http://127.0.0.1:0", option, value);
        Assert.Equal(2, exit);
        Assert.Contains(named, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void The_pool_option_says_pool_and_keeps_its_first_name()
    {
        var (exit, help, _) = CliRunner.Run("", "serve", "--help");
        Assert.Equal(0, exit);
        var line = help.Split('\n').Single(l => l.Contains("--max-pool-texts"));
        Assert.Contains("--max-batch-texts", line);
    }

    [Theory]
    [InlineData("5097", "http://127.0.0.1:5097")]
    [InlineData("localhost:5097", "http://127.0.0.1:5000")]
    [InlineData("ftp://127.0.0.1:5097", "http or https")]
    public void Urls_that_are_not_addresses_are_usage_errors_before_the_model_loads(string urls, string hint)
    {
        // The model does not exist: the usage error must come first, before any attempt to load it.
        var (exit, _, error) = CliRunner.Run("", "serve", "-m", "/nonexistent/model", "--urls", urls);
        Assert.Equal(2, exit);
        Assert.Contains("--urls", error);
        Assert.Contains(hint, error);
        Assert.DoesNotContain("serving on", error);
        Assert.DoesNotContain("   at ", error);
    }

    /// <summary>The CLI in its own process (the server logs to the process's console, which an in-process run cannot see).</summary>
    private static Process StartServe(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // Resolved as the test binaries are: the CLI's own deps file names package assemblies this folder lacks.
        foreach (var arg in new[] { "exec", "--depsfile", "Lahja.Cli.Tests.deps.json", "--runtimeconfig", "Lahja.Cli.Tests.runtimeconfig.json", "Lahja.Cli.dll" })
            info.ArgumentList.Add(File.Exists(Path.Combine(AppContext.BaseDirectory, arg)) ? Path.Combine(AppContext.BaseDirectory, arg) : arg);
        info.ArgumentList.Add("serve");
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(info)!;
    }

    [Fact]
    public async Task A_port_in_use_is_exit_1_with_a_clear_message_and_nothing_announced()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var process = StartServe("-m", Model, "--urls", $"http://127.0.0.1:{port}");
        var output = process.StandardOutput.ReadToEndAsync(Token);
        var error = await process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        var all = await output + error;
        Assert.True(process.ExitCode == 1, all);
        Assert.Contains($"127.0.0.1:{port}", error);
        Assert.Contains("in use", error);
        Assert.DoesNotContain("serving on", all);
        Assert.DoesNotContain("   at ", all);
        Assert.DoesNotContain("Exception", all);
    }

    [Fact]
    public async Task Serving_is_announced_once_listening_with_the_bound_address()
    {
        using var process = StartServe("-m", Model, "--urls", "http://127.0.0.1:0");
        try
        {
            var seen = new List<string>();
            string? announcement = null;
            while (announcement is null && await process.StandardError.ReadLineAsync(Token) is { } line)
            {
                seen.Add(line);
                if (line.Contains("serving on")) announcement = line;
            }
            Assert.True(announcement is not null, string.Join("\n", seen));
            // Port 0 asks the system for a port: the announcement names the one it gave, which already answers.
            var address = new Uri(Regex.Match(announcement, @"http://127\.0\.0\.1:\d+").Value);
            Assert.NotEqual(0, address.Port);
            using var client = new HttpClient { BaseAddress = address };
            using var health = await client.GetAsync("/healthz", Token);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            // The next line names the model in use and, from its lahja.json, what it is.
            var modelLine = await process.StandardError.ReadLineAsync(Token);
            Assert.StartsWith($"lahja: model {Model}", modelLine);
            if (Lahja.Checkpoints.LahjaSettings.Load(Model)?.Description is { } description) Assert.EndsWith(": " + description, modelLine);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Token);
        }
    }
}
