using Lahja.Hub;

namespace Lahja.Tests.Hub;

/// <summary>The Hub client against a loopback imitation of the Hub. One class: the tests change HF_* variables.</summary>
public sealed class HubClientTests : IDisposable
{
    private readonly FakeHub _hub = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("lahja-hub-").FullName;
    private readonly Dictionary<string, string?> _saved = new();

    public HubClientTests()
    {
        foreach (var name in new[] { "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN", "HF_ENDPOINT", "HF_HOME" })
            _saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _cache);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
        Environment.SetEnvironmentVariable("HF_TOKEN", null);
        Environment.SetEnvironmentVariable("HF_HOME", _cache);
        Environment.SetEnvironmentVariable("HF_ENDPOINT", _hub.Endpoint);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        _hub.Dispose();
        Directory.Delete(_cache, true);
    }

    private static Task<string> Download(string? token = null) => new HubClient(token: token).DownloadAsync(FakeHub.Repo, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task Download_lays_out_the_cache_like_huggingface_hub()
    {
        var snapshot = await Download();
        var folder = Path.Combine(_cache, "models--owner--model");
        Assert.Equal(Path.Combine(folder, "snapshots", FakeHub.Commit), snapshot);
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(folder, "refs", "main")));
        var weights = new FileInfo(Path.Combine(snapshot, "model.safetensors"));
        var sha = FakeHub.Sha256(_hub.Content("model.safetensors"));
        Assert.Equal(Path.Combine("..", "..", "blobs", sha), weights.LinkTarget);
        Assert.Equal(_hub.Content("model.safetensors"), File.ReadAllBytes(weights.FullName));
        var gitEtag = FakeHub.GitEtag(_hub.Content("config.json"));
        Assert.True(File.Exists(Path.Combine(folder, "blobs", gitEtag)));
        Assert.False(File.Exists(Path.Combine(snapshot, "tf_model.h5")));
        Assert.Equal(snapshot, HubCache.FindSnapshot(FakeHub.Repo));
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "blobs"), "*.incomplete"));

        var before = _hub.Requests.Count(r => r.StartsWith("GET /cdn/"));
        Assert.Equal(snapshot, await Download());
        Assert.Equal(before, _hub.Requests.Count(r => r.StartsWith("GET /cdn/"))); // cached: nothing fetched again
    }

    [Fact]
    public async Task Interrupted_transfer_resumes_with_a_range_request()
    {
        _hub.InterruptTransfers = 1;
        var snapshot = await Download();
        Assert.Equal(_hub.Content("model.safetensors"), File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        Assert.Contains(_hub.Requests, r => r.StartsWith("GET /cdn/") && r.Contains("bytes=150000-"));
    }

    [Fact]
    public async Task Persistent_interruptions_keep_the_partial_file_for_the_next_attempt()
    {
        _hub.InterruptTransfers = 3;
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains("model.safetensors", e.Message);
        var blobs = Path.Combine(_cache, "models--owner--model", "blobs");
        Assert.Single(Directory.GetFiles(blobs, "*.incomplete"));
        Assert.False(File.Exists(Path.Combine(_cache, "models--owner--model", "snapshots", FakeHub.Commit, "model.safetensors")));
        var snapshot = await Download();
        Assert.Equal(_hub.Content("model.safetensors"), File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
    }

    [Fact]
    public async Task Wrong_checksum_is_discarded()
    {
        _hub.CorruptLfs = true;
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains("SHA-256", e.Message);
        var blobs = Path.Combine(_cache, "models--owner--model", "blobs");
        Assert.DoesNotContain(Directory.GetFiles(blobs), f => Path.GetFileName(f).StartsWith(FakeHub.Sha256(_hub.Content("model.safetensors"))));
        Assert.Null(HubCache.FindSnapshot(FakeHub.Repo) is { } s && File.Exists(Path.Combine(s, "model.safetensors")) ? s : null);
    }

    [Fact]
    public async Task Gated_private_and_missing_repositories_are_explained()
    {
        _hub.RequiredToken = "secret";
        Assert.Contains("gated or private", (await Assert.ThrowsAsync<HubException>(() => Download())).Message);
        Assert.Contains("refused", (await Assert.ThrowsAsync<HubException>(() => Download("wrong"))).Message);
        Environment.SetEnvironmentVariable("HF_TOKEN", "secret");
        await Download();
        _hub.Forbidden = true;
        Assert.Contains("403", (await Assert.ThrowsAsync<HubException>(() => new HubClient().DownloadAsync(FakeHub.Repo, FakeHub.Commit[..7], cancellationToken: TestContext.Current.CancellationToken))).Message);
        _hub.Forbidden = false;
        Assert.Contains("not found (404)", (await Assert.ThrowsAsync<HubException>(() => new HubClient().DownloadAsync("owner/missing", cancellationToken: TestContext.Current.CancellationToken))).Message);
    }

    [Fact]
    public async Task Token_file_under_hf_home_is_used()
    {
        _hub.RequiredToken = "from-file";
        File.WriteAllText(Path.Combine(_cache, "token"), "from-file\n");
        await Download();
    }

    [Fact]
    public async Task Offline_mode_uses_the_cache_only()
    {
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        Assert.Contains("HF_HUB_OFFLINE", (await Assert.ThrowsAsync<HubException>(() => Download())).Message);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
        var snapshot = await Download();
        var requests = _hub.Requests.Count;
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        Assert.Equal(snapshot, await Download());
        Assert.Equal(requests, _hub.Requests.Count);
    }

    [Fact]
    public async Task Unreachable_endpoint_suggests_offline_mode()
    {
        var e = await Assert.ThrowsAsync<HubException>(() => new HubClient("http://127.0.0.1:1").DownloadAsync(FakeHub.Repo, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("HF_HUB_OFFLINE", e.Message);
    }
}
