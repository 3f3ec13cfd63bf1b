using StackExchange.Redis;

namespace Lahja.Jobs.Tests;

public sealed class JobsTests : IDisposable
{
    private readonly RedisServer _redis = RedisServer.Start();
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-jobs-").FullName;

    public void Dispose()
    {
        _redis.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private string Input(string[] texts)
    {
        var path = Path.Combine(_work, "input.txt");
        File.WriteAllLines(path, texts);
        return path;
    }

    private void Submit(string job, string input, int chunk)
    {
        var (code, _, error) = JobsFixture.Cli("jobs", "submit", "--redis", _redis.Url, "--job", job, "-i", input, "-m", JobsFixture.Model, "--chunk", chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, error);
    }

    private async Task<JobStore> Store() => await JobStore.ConnectAsync(RedisEndpoint.Parse(_redis.Url));

    private static WorkerOptions Options(JobSpec spec, string name) => new() { Name = name, Job = spec.Name, ModelSha256 = spec.ModelSha256, ClaimIdle = TimeSpan.FromSeconds(1), ReconnectPatience = TimeSpan.FromSeconds(120) };

    [Fact]
    public async Task Three_workers_a_worker_killed_mid_chunk_and_a_redis_restart_still_give_every_input_once_equal_to_offline_predict()
    {
        var texts = JobsFixture.Texts(5000);
        var input = Input(texts);
        Submit("big", input, 100);
        using var store = await Store();

        // A worker process killed with SIGKILL while it holds a chunk: its chunk stays pending until another worker takes it over.
        string? killed = null;
        for (var attempt = 0; attempt < 5 && killed is null; attempt++)
        {
            var name = $"doomed-{attempt}";
            using var child = JobsFixture.StartCli("jobs", "work", "--redis", _redis.Url, "--job", "big", "-m", JobsFixture.Model, "--threads", "1", "--name", name);
            var childError = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            while (!child.HasExited && await JobsFixture.PendingOf(store.Database, "big", name) == 0) await Task.Delay(5, TestContext.Current.CancellationToken);
            if (child.HasExited) Assert.Fail("the worker exited: " + await childError);
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
            // Killed between two chunks (acknowledged one, not yet holding the next): try again with a fresh worker.
            if (await JobsFixture.PendingOf(store.Database, "big", name) > 0) killed = name;
        }
        Assert.NotNull(killed);
        var before = await store.GetStatusAsync("big");
        Assert.True(before.Done < before.TotalChunks, "the killed workers must leave work behind");

        // Three workers; on the 5th chunk predicted, Redis is restarted while that chunk is in hand (and the others poll or store).
        var spec = await store.RequireSpecAsync("big");
        using var identifier = TestModels.Load(JobsFixture.Model, spec.Options() with { Threads = 1 });
        var calls = 0;
        var restarted = false;
        IReadOnlyList<DialectPrediction> Predict(JobSpec job, IReadOnlyList<string> chunk)
        {
            var predictions = identifier.Predict(chunk);
            if (Interlocked.Increment(ref calls) == 5)
            {
                _redis.Restart();
                restarted = true;
            }
            return predictions;
        }
        var workers = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            using var own = await Store();
            return await new JobWorker(own, Predict, Options(spec, $"worker-{i}")).RunAsync(CancellationToken.None);
        })).ToArray();
        var summaries = await Task.WhenAll(workers);
        Assert.True(restarted);
        Assert.All(summaries, s => Assert.False(s.Stopped));

        var status = await store.GetStatusAsync("big");
        Assert.True(status.IsComplete, $"{status.Done} of {status.TotalChunks} done, {status.Dead} dead");
        Assert.Equal(50, status.TotalChunks);
        Assert.Equal(0, status.InProgress);
        Assert.Equal(5000, status.DoneTexts); // counted once per chunk, however often delivered
        Assert.Equal(status.Done, status.Workers.Sum(w => w.Chunks));
        // Counted by Redis, in the same script as each store (a worker's own count can miss a store whose answer the restart cut off).
        Assert.Equal(50 - before.Done, status.Workers.Where(w => w.Name.StartsWith("worker-")).Sum(w => w.Chunks));

        JobsFixture.AssertCollectedEqualsOfflinePredict(_work, "big", input, "--redis", _redis.Url);
    }

    [Fact]
    public async Task A_chunk_delivered_twice_is_stored_once()
    {
        Submit("twice", Input(JobsFixture.Texts(30)), 10);
        using var store = await Store();
        var spec = await store.RequireSpecAsync("twice");
        using var identifier = TestModels.Load(JobsFixture.Model, spec.Options() with { Threads = 1 });
        using var holding = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var slowFirst = 0;
        // The slow worker holds its first chunk until the fast one has taken it over (claim-idle 0) and stored everything.
        var slow = Task.Run(async () => await new JobWorker(store, (job, texts) =>
        {
            if (Interlocked.Exchange(ref slowFirst, 1) == 0)
            {
                holding.Release();
                release.Wait();
            }
            return identifier.Predict(texts);
        }, Options(spec, "slow")).RunAsync(CancellationToken.None));
        await holding.WaitAsync(TestContext.Current.CancellationToken);
        var fast = await new JobWorker(store, (job, texts) => identifier.Predict(texts), Options(spec, "fast") with { ClaimIdle = TimeSpan.Zero })
            .RunAsync(CancellationToken.None);
        release.Release();
        var slowSummary = await slow;

        Assert.Equal(3, fast.Chunks);
        Assert.Equal(0, slowSummary.Chunks);
        Assert.Equal(1, slowSummary.Duplicates);
        var status = await store.GetStatusAsync("twice");
        Assert.True(status.IsComplete);
        Assert.Equal(30, status.DoneTexts);
        Assert.Equal(0, status.InProgress);
    }

    [Fact]
    public async Task Poison_and_corrupted_chunks_go_to_the_dead_letter_stream_with_their_reason_and_collect_refuses_until_partial()
    {
        var texts = JobsFixture.Texts(50);
        texts[27] = "POISON";
        Submit("poison", Input(texts), 10);
        using var store = await Store();
        var keys = new JobKeys("poison");
        // Chunk 4 corrupted in Redis: its texts are no JSON array any more.
        var entries = await store.Database.StreamRangeAsync(keys.Chunks);
        var fourth = entries.Single(e => (string?)e["chunk"] == "4");
        await store.Database.StreamDeleteAsync(keys.Chunks, [fourth.Id]);
        await store.Database.StreamAddAsync(keys.Chunks, [new("chunk", 4), new("texts", "[\"broken")]);

        var spec = await store.RequireSpecAsync("poison");
        using var identifier = TestModels.Load(JobsFixture.Model, spec.Options() with { Threads = 1 });
        var log = new List<string>();
        var summary = await new JobWorker(store, (job, chunk) => chunk.Contains("POISON") ? throw new InvalidOperationException("the model choked") : identifier.Predict(chunk),
            Options(spec, "w") with { ClaimIdle = TimeSpan.Zero, MaxDeliveries = 2, Log = log.Add }).RunAsync(CancellationToken.None);
        Assert.Equal(3, summary.Chunks);
        Assert.Equal(2, summary.DeadLettered);
        Assert.Equal(2, summary.Failures);

        var status = await store.GetStatusAsync("poison");
        Assert.True(status.IsFinished);
        Assert.False(status.IsComplete);
        Assert.Equal(2, status.Dead);
        var dead = await store.GetDeadLettersAsync("poison");
        Assert.Contains(dead, d => d.Chunk == 2 && d.Reason.Contains("failed 2 times") && d.Reason.Contains("the model choked"));
        Assert.Contains(dead, d => d.Chunk == 4 && d.Reason.StartsWith("corrupted chunk"));
        var (code, statusText, _) = JobsFixture.Cli("jobs", "status", "--redis", _redis.Url, "--job", "poison");
        Assert.Equal(0, code);
        Assert.Contains("the model choked", statusText);
        Assert.Contains("2 dead", statusText);

        var output = Path.Combine(_work, "out.tsv");
        (code, _, var error) = JobsFixture.Cli("jobs", "collect", "--redis", _redis.Url, "--job", "poison", "-o", output, "-f", "tsv");
        Assert.Equal(1, code);
        Assert.Contains("incomplete", error);
        Assert.False(File.Exists(output));
        (code, _, error) = JobsFixture.Cli("jobs", "collect", "--redis", _redis.Url, "--job", "poison", "-o", output, "-f", "tsv", "--partial");
        Assert.True(code == 0, error);
        var rows = File.ReadAllLines(output).Skip(1).Select(l => l.Split('\t')[0]).ToArray();
        Assert.Equal(texts.Where((_, i) => i / 10 is not (2 or 4)), rows);
    }

    [Fact]
    public async Task A_corrupted_result_is_moved_to_the_dead_letter_stream_and_never_collected()
    {
        Submit("tampered", Input(JobsFixture.Texts(20)), 10);
        var (code, _, error) = JobsFixture.Cli("jobs", "work", "--redis", _redis.Url, "--job", "tampered", "-m", JobsFixture.Model, "--threads", "1");
        Assert.True(code == 0, error);
        using var store = await Store();
        await store.Database.HashSetAsync(new JobKeys("tampered").Results, 1, "{\"texts\":[\"x\"],\"probabilities\":\"AAAA\"}");
        var output = Path.Combine(_work, "out.jsonl");
        (code, _, error) = JobsFixture.Cli("jobs", "collect", "--redis", _redis.Url, "--job", "tampered", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("chunk 1", error);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_work, "*.partial"));
        var dead = await store.GetDeadLettersAsync("tampered");
        Assert.Contains(dead, d => d.Chunk == 1 && d.Reason.Contains("corrupted result"));
        Assert.Equal(1, (await store.GetStatusAsync("tampered")).Dead);
    }

    [Fact]
    public async Task A_worker_with_another_model_refuses_the_job()
    {
        Submit("m", Input(JobsFixture.Texts(20)), 10);
        var (code, _, error) = JobsFixture.Cli("jobs", "work", "--redis", _redis.Url, "--job", "m", "-m", JobsFixture.OtherModel);
        Assert.Equal(1, code);
        Assert.Contains("refusing", error);
        Assert.Single(error.Trim().Split('\n'), l => l.StartsWith("lahja: error:"));
        // Without --job, it finds nothing it may do.
        (code, _, error) = JobsFixture.Cli("jobs", "work", "--redis", _redis.Url, "-m", JobsFixture.OtherModel);
        Assert.Equal(1, code);
        Assert.Contains("No job for this worker's model", error);
        using var store = await Store();
        Assert.Equal(0, (await store.GetStatusAsync("m")).Done);
    }

    [Fact]
    public async Task Ctrl_c_or_sigterm_finishes_the_chunk_in_hand_acknowledges_it_and_stops()
    {
        Submit("term", Input(JobsFixture.Texts(3000)), 20);
        using var store = await Store();
        using var child = JobsFixture.StartCli("jobs", "work", "--redis", _redis.Url, "--job", "term", "-m", JobsFixture.Model, "--threads", "1", "--name", "t");
        var childError = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        while (!child.HasExited && await JobsFixture.PendingOf(store.Database, "term", "t") == 0) await Task.Delay(5, TestContext.Current.CancellationToken);
        Syscall.Kill(child.Id, Syscall.SigTerm);
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        var error = await childError;
        Assert.True(child.ExitCode == 0, error);
        Assert.Contains("stopped on request", error);
        Assert.Equal(0, await JobsFixture.PendingOf(store.Database, "term", "t"));
        var status = await store.GetStatusAsync("term");
        Assert.True(status.Done >= 1);
        Assert.True(status.Done < status.TotalChunks, "stopped before the end");
        Assert.Equal(status.TotalChunks, status.Done + status.Queued);
    }

    [Fact]
    public void Resubmitting_bad_names_wrong_passwords_and_unreachable_servers_are_one_line_errors_with_the_password_masked()
    {
        var input = Input(JobsFixture.Texts(5));
        Submit("once", input, 2);
        var (code, _, error) = JobsFixture.Cli("jobs", "submit", "--redis", _redis.Url, "--job", "once", "-i", input, "-m", JobsFixture.Model);
        Assert.Equal(1, code);
        Assert.Contains("already exists", error);

        (code, _, error) = JobsFixture.Cli("jobs", "submit", "--redis", _redis.Url, "--job", "a:b", "-i", input, "-m", JobsFixture.Model);
        Assert.Equal(2, code);
        Assert.Contains("not a valid job name", error);

        var wrong = $"redis://:not-{_redis.Password}@127.0.0.1:{_redis.Port}";
        (code, _, error) = JobsFixture.Cli("jobs", "status", "--redis", wrong, "--job", "once");
        Assert.Equal(1, code);
        Assert.Equal($"lahja: error: Redis at redis://:***@127.0.0.1:{_redis.Port}/0: authentication failed (wrong user or password)", error.Trim());

        using var unused = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        unused.Start();
        var closed = ((System.Net.IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        (code, _, error) = JobsFixture.Cli("jobs", "status", "--redis", $"redis://:{_redis.Password}@127.0.0.1:{closed}", "--job", "once");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("cannot connect", error);
        Assert.DoesNotContain(_redis.Password, error);

        (code, var listing, error) = JobsFixture.Cli("jobs", "status", "--redis", _redis.Url);
        Assert.True(code == 0, error);
        Assert.StartsWith("once\t", listing);
        (code, _, error) = JobsFixture.Cli("jobs", "delete", "--redis", _redis.Url, "--job", "once");
        Assert.True(code == 0, error);
        (code, _, error) = JobsFixture.Cli("jobs", "status", "--redis", _redis.Url, "--job", "once");
        Assert.Equal(1, code);
        Assert.Contains("No job 'once'", error);
        Submit("once", input, 2); // the name is free again
    }
}
