
namespace Lahja.Cli.Tests;

/// <summary>Changes HF_* variables: shares a collection with the other tests that do, so they never overlap.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class DownloadCommandTests : IDisposable
{
    private readonly FakeHub _hub = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("lahja-cli-hub-").FullName;
    private readonly (string?, string?) _saved = (Environment.GetEnvironmentVariable("HF_HUB_CACHE"), Environment.GetEnvironmentVariable("HF_ENDPOINT"));

    public DownloadCommandTests()
    {
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _cache);
        Environment.SetEnvironmentVariable("HF_ENDPOINT", _hub.Endpoint);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _saved.Item1);
        Environment.SetEnvironmentVariable("HF_ENDPOINT", _saved.Item2);
        _hub.Dispose();
        Directory.Delete(_cache, true);
    }

    [Fact]
    public void Downloads_into_the_cache_and_prints_the_snapshot()
    {
        var (code, output, error) = CliRunner.Run("", "download", FakeHub.Repo);
        Assert.True(code == 0, error);
        Assert.Equal(Path.Combine(_cache, "models--owner--model", "snapshots", FakeHub.Commit) + "\n", output);
        Assert.Contains("model.safetensors", error);
    }

    [Fact]
    public void Bad_id_is_a_usage_error_and_missing_repository_a_runtime_error()
    {
        Assert.Equal(2, CliRunner.Run("", "download", "not-an-id").ExitCode);
        var (code, _, error) = CliRunner.Run("", "download", "owner/missing");
        Assert.Equal(1, code);
        Assert.Contains("not found (404)", error);
    }
}
