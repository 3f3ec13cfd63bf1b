using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Data;

namespace Lahja.Cli.Tests;

/// <summary>
/// Models used from a Hugging Face cache (snapshot files are relative symlinks to blobs, as huggingface_hub makes
/// them), downloaded through the loopback stand-in Hub and then read offline by every command that loads a model;
/// and what <c>--model</c> says when it names nothing. Changes HF_* variables, hence the collection.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class HubCacheModelTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints");
    private static readonly string[] Texts = ["شلونك حبيبي", "إزيك يا باشا", "كيفك شو عم تعمل", "واش راك خويا"];
    private static readonly string[] Variables = ["HF_HUB_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN", "HF_HOME", "LAHJA_MODEL"];

    private readonly FakeHub _hub = new();
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-hubcache-").FullName;
    private readonly string _cache;
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, v => Environment.GetEnvironmentVariable(v));

    public HubCacheModelTests()
    {
        _cache = Path.Combine(_work, "cache");
        foreach (var name in Variables) Environment.SetEnvironmentVariable(name, null);
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _cache);
        Environment.SetEnvironmentVariable("HF_HOME", Path.Combine(_work, "home"));
        Environment.SetEnvironmentVariable("HF_ENDPOINT", _hub.Endpoint);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        _hub.Dispose();
        Directory.Delete(_work, true);
    }

    /// <summary>
    /// A source checkpoint directory: "single" (model.safetensors, vocab.txt, tokenizer_config.json,
    /// special_tokens_map.json, lahja.json), "sharded" (an index and two shards, tokenizer.json) or "pytorch"
    /// (pytorch_model.bin), all made from the tiny test checkpoints.
    /// </summary>
    private string SourceModel(string kind)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_work, "source-" + kind)).FullName;
        var fixture = Path.Combine(Fixtures, kind == "pytorch" ? "pytorch-bin" : "f32");
        File.Copy(Path.Combine(fixture, "config.json"), Path.Combine(directory, "config.json"));
        switch (kind)
        {
            case "single":
                File.Copy(Path.Combine(fixture, "model.safetensors"), Path.Combine(directory, "model.safetensors"));
                File.Copy(Path.Combine(fixture, "vocab.txt"), Path.Combine(directory, "vocab.txt"));
                File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), """{"do_lower_case": true, "model_max_length": 512}""");
                File.WriteAllText(Path.Combine(directory, "special_tokens_map.json"), """{"unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]"}""");
                File.WriteAllText(Path.Combine(directory, LahjaSettings.FileName), """{"threshold": 0.2, "relative_threshold": 0.5}""");
                break;
            case "sharded":
                using (var whole = SafeTensorsFile.Open(Path.Combine(fixture, "model.safetensors")))
                {
                    // Floating-point tensors only (Write stores float32); both directories then hold the same weights.
                    var names = whole.Tensors.Values.Where(t => t.DType == TensorDType.F32).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
                    var shards = new[] { names.Take(names.Count / 2).ToList(), names.Skip(names.Count / 2).ToList() };
                    var map = new Dictionary<string, string>();
                    for (var i = 0; i < shards.Length; i++)
                    {
                        var file = $"model-{i + 1:00000}-of-{shards.Length:00000}.safetensors";
                        SafeTensorsFile.Write(Path.Combine(directory, file), shards[i].Select(n => (n, whole.Tensors[n].Shape, whole.ReadFloat32(n))));
                        foreach (var name in shards[i]) map[name] = file;
                    }
                    File.WriteAllText(Path.Combine(directory, CheckpointFiles.SafeTensorsIndex), JsonSerializer.Serialize(new { metadata = new { }, weight_map = map }));
                }
                var vocabulary = File.ReadAllLines(Path.Combine(fixture, "vocab.txt")).Select((token, id) => (token, id)).ToDictionary(p => p.token, p => p.id);
                File.WriteAllText(Path.Combine(directory, "tokenizer.json"), JsonSerializer.Serialize(new
                {
                    model = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##", max_input_chars_per_word = 100, vocab = vocabulary },
                }));
                break;
            default:
                File.Copy(Path.Combine(fixture, "pytorch_model.bin"), Path.Combine(directory, "pytorch_model.bin"));
                File.Copy(Path.Combine(fixture, "vocab.txt"), Path.Combine(directory, "vocab.txt"));
                break;
        }
        return directory;
    }

    private string WorkFile(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Ok((int ExitCode, string Out, string Error) result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Out;
    }

    [Theory]
    [InlineData("single")]
    [InlineData("sharded")]
    [InlineData("pytorch")]
    public async Task A_model_downloaded_into_the_cache_answers_offline_as_its_source_directory(string kind)
    {
        var source = SourceModel(kind);
        var repo = "owner/" + kind;
        _hub.AddRepository(repo, source);
        var snapshot = Ok(CliRunner.Run("", "download", repo)).Trim();
        // The cache really is made of links: every file in the snapshot is a relative symlink to a blob.
        var files = Directory.GetFiles(snapshot, "*", SearchOption.AllDirectories);
        Assert.Equal(Directory.GetFiles(source).Length, files.Length);
        Assert.All(files, f => Assert.StartsWith("..", new FileInfo(f).LinkTarget));

        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        var requests = _hub.Requests.Count;

        string[] predict = ["predict", "-f", "jsonl", .. Texts];
        Assert.Equal(Ok(CliRunner.Run("", [.. predict, "-m", source])), Ok(CliRunner.Run("", [.. predict, "-m", repo])));

        var input = WorkFile("texts.txt", string.Join("\n", Texts) + "\n");
        var fromSource = Path.Combine(_work, $"labels-{kind}-source.tsv");
        var fromCache = Path.Combine(_work, $"labels-{kind}-cache.tsv");
        Ok(CliRunner.Run("", "pseudo-label", "-i", input, "-t", "model:" + source, "-o", fromSource));
        Ok(CliRunner.Run("", "pseudo-label", "-i", input, "-t", "model:" + repo, "-o", fromCache));
        var (expected, actual) = (LabeledDataset.Read(fromSource), LabeledDataset.Read(fromCache));
        Assert.Equal(expected.Probabilities!.Select(p => p.ToArray()), actual.Probabilities!.Select(p => p.ToArray()));
        Assert.Equal(expected.MultiLabel!.Select(l => l.ToArray()), actual.MultiLabel!.Select(l => l.ToArray()));

        Assert.Equal(Ok(CliRunner.Run("", "evaluate", "-m", source, "--data", fromSource)), Ok(CliRunner.Run("", "evaluate", "-m", repo, "--data", fromSource)));

        // serve loads through the same code for every weight format: one format shows it (each start costs seconds).
        if (kind == "single") Assert.Equal(await ServeOnce(source), await ServeOnce(repo));
        Assert.Equal(requests, _hub.Requests.Count); // offline: nothing asked of the Hub
    }

    /// <summary>
    /// Runs <c>lahja serve -m MODEL</c> as its own process (as a user would, with this test's HF_* variables), sends
    /// one identify request and returns the answer's probabilities, then stops the process.
    /// </summary>
    private async Task<string> ServeOnce(string model)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var address = $"http://127.0.0.1:{port}";
        // The command line's own build output (beside the test binaries its dependencies would not resolve), same configuration.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var cli = Path.Combine(CliRunner.RepositoryRoot, "src", "Lahja.Cli", "bin", output.Parent!.Name, output.Name, OperatingSystem.IsWindows() ? "Lahja.Cli.exe" : "Lahja.Cli");
        var start = new ProcessStartInfo(cli)
        {
            // Fixed batches: the automatic planner measures timings, so its passes (and padding) could differ between runs.
            ArgumentList = { "serve", "-m", model, "--urls", address, "--pass-overhead-tokens", "fixed" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var name in Variables) start.Environment[name] = Environment.GetEnvironmentVariable(name);
        using var server = Process.Start(start)!;
        var log = new StringBuilder();
        server.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            // Wait until it listens (or has exited); a watchdog ends a hang as a failure.
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            watchdog.CancelAfter(TimeSpan.FromMinutes(2));
            while (true)
            {
                Assert.False(server.HasExited, $"serve exited with {(server.HasExited ? server.ExitCode : 0)}: {log}");
                try
                {
                    using var ready = await client.GetAsync("/readyz", watchdog.Token);
                    if (ready.IsSuccessStatusCode) break;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(100, watchdog.Token);
            }
            using var content = new StringContent(JsonSerializer.Serialize(new { texts = Texts }), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/v1/identify", content, watchdog.Token);
            var body = await response.Content.ReadAsStringAsync(watchdog.Token);
            Assert.True(response.IsSuccessStatusCode, body);
            using var json = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("probabilities").ToString()));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public void Offline_download_of_a_snapshot_without_weights_fails()
    {
        var source = SourceModel("single");
        _hub.AddRepository("owner/single", source);
        var snapshot = Ok(CliRunner.Run("", "download", "owner/single")).Trim();
        File.Delete(Path.Combine(snapshot, "model.safetensors"));
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        var (code, output, error) = CliRunner.Run("", "download", "owner/single");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("lacks the weights", error);
        (code, _, error) = CliRunner.Run("", "predict", "-m", "owner/single", "شلونك");
        Assert.Equal(1, code);
        Assert.Contains("lacks the weights", error);
    }

    [Theory]
    [InlineData("./nope")]
    [InlineData("~/nope")]
    [InlineData("/nonexistent-lahja/nope")]
    [InlineData("a/b/c")]
    [InlineData("EXISTING/nope")]
    public void A_missing_path_is_said_to_be_a_missing_directory(string model)
    {
        Directory.CreateDirectory(Path.Combine(_work, "models"));
        model = model.Replace("EXISTING", Path.Combine(_work, "models"));
        var requests = _hub.Requests.Count;
        var (code, _, error) = CliRunner.Run("", "predict", "-m", model, "شلونك");
        Assert.Equal(1, code);
        Assert.Contains($"Model directory \"{model}\" does not exist", error);
        Assert.DoesNotContain("Hub", error);
        Assert.Equal(requests, _hub.Requests.Count);
    }

    [Fact]
    public void A_relative_path_whose_parent_exists_is_a_missing_directory()
    {
        var cwd = Environment.CurrentDirectory;
        Directory.CreateDirectory(Path.Combine(_work, "models"));
        Environment.CurrentDirectory = _work;
        try
        {
            var (code, _, error) = CliRunner.Run("", "predict", "-m", "models/nope", "شلونك");
            Assert.Equal(1, code);
            Assert.Contains("Model directory \"models/nope\" does not exist", error);
            Assert.Empty(_hub.Requests);
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
        }
    }

    [Fact]
    public void An_id_that_is_neither_a_directory_nor_on_the_hub_names_both()
    {
        var (code, _, error) = CliRunner.Run("", "predict", "-m", "owner/missing", "شلونك");
        Assert.Equal(1, code);
        Assert.Contains("\"owner/missing\" is not a directory here", error);
        Assert.Contains("not found (404)", error);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        (code, _, error) = CliRunner.Run("", "predict", "-m", "owner/missing", "شلونك");
        Assert.Equal(1, code);
        Assert.Contains("\"owner/missing\" is not a directory here", error);
        Assert.Contains("is not in the cache", error);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://127.0.0.1/x")]
    public void A_redirect_to_another_scheme_is_a_clear_error_not_a_crash(string location)
    {
        _hub.ResolveRedirect = location;
        var (code, output, error) = CliRunner.Run("", "download", FakeHub.Repo);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains($"redirected to \"{location}\"; only http and https addresses are followed", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Control_characters_in_a_bad_id_are_escaped()
    {
        var (code, _, error) = CliRunner.Run("", "download", "bad\u001b[2Jid");
        Assert.Equal(2, code);
        Assert.Contains("\"bad\\u001B[2Jid\" is not a Hub repository id", error);
        Assert.DoesNotContain('\u001b', error);
    }
}
