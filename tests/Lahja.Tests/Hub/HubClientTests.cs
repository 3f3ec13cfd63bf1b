using Lahja.Hub;

namespace Lahja.Tests.Hub;

/// <summary>The Hub client against a loopback imitation of the Hub. One class: the tests change HF_* variables.</summary>
public sealed class HubClientTests : IDisposable
{
    private readonly FakeHub _hub = new();
    // The cache lies a few folders deep inside the test's root, so a name that escapes it still lands in the root,
    // where the test sees it.
    private readonly string _root = Directory.CreateTempSubdirectory("lahja-hub-").FullName;
    private readonly string _cache;
    private readonly Dictionary<string, string?> _saved = new();

    public HubClientTests()
    {
        _cache = Directory.CreateDirectory(Path.Combine(_root, "a", "b", "c", "d", "cache")).FullName;
        foreach (var name in new[] { "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN", "HF_ENDPOINT", "HF_HOME", HubClient.DownloadTimeoutVariable, HubClient.MetadataTimeoutVariable })
            _saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _cache);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
        Environment.SetEnvironmentVariable("HF_TOKEN", null);
        Environment.SetEnvironmentVariable("HF_HOME", _cache);
        Environment.SetEnvironmentVariable("HF_ENDPOINT", _hub.Endpoint);
        Environment.SetEnvironmentVariable(HubClient.DownloadTimeoutVariable, null);
        Environment.SetEnvironmentVariable(HubClient.MetadataTimeoutVariable, null);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        _hub.Dispose();
        Directory.Delete(_root, true);
    }

    /// <summary>Every file and folder under the test's root, the cache included.</summary>
    private string[] Everything() => Directory.GetFileSystemEntries(_root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

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
    public async Task Where_links_are_refused_the_snapshot_holds_copies_of_the_blobs()
    {
        // As on Windows without the symlink right: huggingface_hub then copies, and so must we.
        using var client = new HubClient { CreateSymbolicLink = (_, _) => throw new UnauthorizedAccessException("A required privilege is not held by the client.") };
        var snapshot = await client.DownloadAsync(FakeHub.Repo, cancellationToken: TestContext.Current.CancellationToken);
        var weights = new FileInfo(Path.Combine(snapshot, "model.safetensors"));
        Assert.Null(weights.LinkTarget);
        Assert.Equal(_hub.Content("model.safetensors"), File.ReadAllBytes(weights.FullName));
        Assert.Equal(_hub.Content("config.json"), File.ReadAllBytes(Path.Combine(snapshot, "config.json")));
        Assert.Equal(snapshot, HubCache.FindSnapshot(FakeHub.Repo));
        // Offline, the copied snapshot is complete.
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        using var offline = new HubClient();
        Assert.Equal(snapshot, await offline.DownloadAsync(FakeHub.Repo, cancellationToken: TestContext.Current.CancellationToken));
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

    [Theory]
    [InlineData("etag", "../../../../x")]
    [InlineData("etag", "ROOT/outside/x")]
    [InlineData("etag", "W/\"../../../../x")]
    [InlineData("etag", "0123456789ABCDEF0123456789ABCDEF01234567")]
    [InlineData("commit", "ROOT/outside/x")]
    [InlineData("commit", "../../x")]
    [InlineData("commit", "/x")]
    [InlineData("commit", "0123456")]
    [InlineData("commit", "\u001b[2J../../x\n")]
    [InlineData("shard", "model-../../../../x.safetensors")]
    [InlineData("shard", "ROOT/outside/x.safetensors")]
    [InlineData("shard", "model-..\\..\\..\\..\\x.safetensors")]
    [InlineData("shard", "model-\u0000.safetensors")]
    [InlineData("shard", "../x.safetensors")]
    public async Task Hostile_names_from_the_hub_are_refused_and_nothing_is_written(string where, string value)
    {
        var hostile = value.Replace("ROOT", _root);
        switch (where)
        {
            case "etag":
                _hub.EtagOverride = file => file == "model.safetensors" ? $"\"{hostile}\"" : null;
                break;
            case "commit":
                _hub.CommitOverride = hostile;
                break;
            default:
                _hub.RemoveFile("model.safetensors");
                _hub.SetFile(hostile, _hub.Content("tf_model.h5"), lfs: true);
                _hub.SetFile("model.safetensors.index.json", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { weight_map = new Dictionary<string, string> { ["w"] = hostile } }));
                break;
        }
        var before = Everything();
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains(FakeHub.Repo, e.Message);
        Assert.Contains(HubText.Show(hostile).Trim('"').Replace("W/\\\"", ""), e.Message);
        Assert.Contains(where switch { "etag" => "the Hub sent the ETag", "commit" => "the Hub sent the commit", _ => "which is not a relative path" }, e.Message);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.DoesNotContain('\u0000', e.Message);
        Assert.Equal(before, Everything());
    }

    [Fact]
    public async Task A_shard_the_listing_lacks_is_refused()
    {
        _hub.RemoveFile("model.safetensors");
        _hub.SetFile("model.safetensors.index.json", """{"weight_map":{"w":"model-00001-of-00001.safetensors"}}"""u8.ToArray());
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains("\"model-00001-of-00001.safetensors\", which the repository does not list", e.Message);
    }

    [Fact]
    public async Task Sharded_repository_downloads_the_shards_its_index_names()
    {
        _hub.RemoveFile("model.safetensors");
        var shard = _hub.Content("tf_model.h5");
        _hub.SetFile("shards/model-00001-of-00001.safetensors", shard, lfs: true);
        _hub.SetFile("model-unrelated.safetensors", shard, lfs: true);
        _hub.SetFile("model.safetensors.index.json", """{"weight_map":{"w":"shards/model-00001-of-00001.safetensors"}}"""u8.ToArray());
        var snapshot = await Download();
        Assert.Equal(shard, File.ReadAllBytes(Path.Combine(snapshot, "shards", "model-00001-of-00001.safetensors")));
        Assert.False(File.Exists(Path.Combine(snapshot, "model-unrelated.safetensors")));
        Assert.Equal(snapshot, HubCache.FindSnapshot(FakeHub.Repo));
    }

    [Fact]
    public async Task A_refs_file_that_is_not_a_commit_is_not_followed()
    {
        await Download();
        var refs = Path.Combine(_cache, "models--owner--model", "refs", "main");
        File.WriteAllText(refs, "../../../../outside");
        Assert.Null(HubCache.FindSnapshot(FakeHub.Repo));
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains("\"../../../../outside\", which is not a commit hash", e.Message);
    }

    [Fact]
    public async Task Offline_a_snapshot_without_weights_is_not_a_model()
    {
        var snapshot = await Download();
        File.Delete(Path.Combine(snapshot, "model.safetensors"));
        Assert.Null(HubCache.FindSnapshot(FakeHub.Repo));
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains("lacks the weights", e.Message);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
        Assert.Equal(snapshot, await Download()); // online, the missing file is fetched again
        Assert.True(File.Exists(Path.Combine(snapshot, "model.safetensors")));
    }

    /// <summary>Ends a test that would otherwise hang (the defect under test) with a failure instead.</summary>
    private static CancellationTokenSource Watchdog()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(TimeSpan.FromMinutes(2));
        return source;
    }

    [Fact]
    public async Task A_stalled_transfer_times_out_and_resumes()
    {
        Environment.SetEnvironmentVariable(HubClient.DownloadTimeoutVariable, "0.5");
        _hub.StallTransfers = 1;
        using var watchdog = Watchdog();
        var snapshot = await new HubClient().DownloadAsync(FakeHub.Repo, cancellationToken: watchdog.Token);
        Assert.Equal(_hub.Content("model.safetensors"), File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        Assert.Contains(_hub.Requests, r => r.StartsWith("GET /cdn/") && r.Contains("bytes=150000-"));
    }

    [Fact]
    public async Task A_transfer_that_keeps_stalling_fails_clearly_and_keeps_the_partial_file()
    {
        Environment.SetEnvironmentVariable(HubClient.DownloadTimeoutVariable, "0.5");
        _hub.StallTransfers = 3;
        using var watchdog = Watchdog();
        var e = await Assert.ThrowsAsync<HubException>(() => new HubClient().DownloadAsync(FakeHub.Repo, cancellationToken: watchdog.Token));
        Assert.Contains("\"model.safetensors\"", e.Message);
        Assert.Contains(HubClient.DownloadTimeoutVariable, e.Message);
        Assert.Contains("partial file is kept", e.Message);
        Assert.Single(Directory.GetFiles(Path.Combine(_cache, "models--owner--model", "blobs"), "*.incomplete"));
    }

    [Fact]
    public async Task A_hub_that_never_answers_times_out()
    {
        Environment.SetEnvironmentVariable(HubClient.MetadataTimeoutVariable, "0.5");
        _hub.StallMetadata = 1;
        using var watchdog = Watchdog();
        var e = await Assert.ThrowsAsync<HubException>(() => new HubClient().DownloadAsync(FakeHub.Repo, cancellationToken: watchdog.Token));
        Assert.Contains(HubClient.MetadataTimeoutVariable, e.Message);
        Assert.Contains("HF_HUB_OFFLINE", e.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    public void A_bad_timeout_setting_is_named(string value)
    {
        Environment.SetEnvironmentVariable(HubClient.DownloadTimeoutVariable, value);
        var e = Assert.Throws<HubException>(() => new HubClient());
        Assert.Contains($"{HubClient.DownloadTimeoutVariable}=\"{value}\"", e.Message);
    }

    [Theory]
    [InlineData("file:///tmp")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("not a url")]
    public void An_endpoint_that_is_not_http_is_named(string endpoint)
    {
        Environment.SetEnvironmentVariable("HF_ENDPOINT", endpoint);
        var e = Assert.Throws<HubException>(() => new HubClient());
        Assert.Contains($"\"{endpoint}\" (HF_ENDPOINT) is not an http or https address", e.Message);
    }

    [Theory]
    [InlineData(false, "file:///etc/passwd")]
    [InlineData(false, "ftp://127.0.0.1/x")]
    [InlineData(true, "file:///etc/passwd")]
    [InlineData(true, "ftp://127.0.0.1/x")]
    public async Task Redirects_to_other_schemes_are_a_clear_error(bool fromStorage, string location)
    {
        if (fromStorage) _hub.StorageRedirect = location;
        else _hub.ResolveRedirect = location;
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains($"redirected to \"{location}\"", e.Message);
        Assert.Contains("only http and https", e.Message);
    }

    [Fact]
    public async Task A_redirect_loop_gives_up_without_claiming_a_partial_file()
    {
        _hub.StorageRedirect = _hub.Endpoint + "/cdn/loop";
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.Contains("more than 10 redirects", e.Message);
        Assert.DoesNotContain("partial", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(_cache, "models--owner--model", "blobs"), "*.incomplete"));
    }

    [Fact]
    public async Task Names_in_messages_are_escaped_and_shortened()
    {
        _hub.CommitOverride = "\u001b[2J" + new string('a', 5000) + "\r\n";
        var e = await Assert.ThrowsAsync<HubException>(() => Download());
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("\"\\u001B[2Jaaa", e.Message);
        Assert.Contains("…", e.Message);
        Assert.Contains("\\r\\n\" (5,006 characters)", e.Message);
        Assert.True(e.Message.Length < 500, e.Message);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\tb\\c\"d", "\"a\\tb\\\\c\\\"d\"")]
    [InlineData("\u202Eevil\u0007", "\"\\u202Eevil\\u0007\"")]
    [InlineData(null, "(none)")]
    public void HubText_escapes_control_and_format_characters(string? value, string expected) => Assert.Equal(expected, HubText.Show(value));
}
