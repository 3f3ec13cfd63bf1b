namespace Lahja.Jobs.Tests;

/// <summary>
/// A whole job over TLS (<c>rediss://</c>, a redis-server with a certificate of the test's own CA, trusted through
/// <c>--redis-ca</c>), the one-line errors when the certificate is not trusted or TLS is not spoken, and
/// <c>status --watch</c> following a job to its end.
/// </summary>
public sealed class RedisTlsAndWatchTests : IDisposable
{
    private readonly RedisServer _redis = RedisServer.Start(tls: true);
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-jobs-tls-").FullName;

    public void Dispose()
    {
        _redis.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private string Input(int count)
    {
        var path = Path.Combine(_work, "input.txt");
        File.WriteAllLines(path, JobsFixture.Texts(count));
        return path;
    }

    [Fact]
    public void A_job_runs_end_to_end_over_tls_equal_to_offline_predict()
    {
        var input = Input(120);
        var (code, _, error) = JobsFixture.Cli("jobs", "submit", "--redis", _redis.Url, "--redis-ca", _redis.CaFile, "--job", "tls", "-i", input, "-m", JobsFixture.Model, "--chunk", "16");
        Assert.True(code == 0, error);
        (code, _, error) = JobsFixture.Cli("jobs", "work", "--redis", _redis.Url, "--redis-ca", _redis.CaFile, "--job", "tls", "-m", JobsFixture.Model, "--threads", "1");
        Assert.True(code == 0, error);
        JobsFixture.AssertCollectedEqualsOfflinePredict(_work, "tls", input, "--redis", _redis.Url, "--redis-ca", _redis.CaFile);
    }

    [Fact]
    public void An_untrusted_certificate_a_wrong_password_or_plain_redis_on_a_tls_port_is_a_one_line_error_with_the_password_masked()
    {
        var input = Input(5);
        // The test CA is not among the system's roots: without --redis-ca the server's certificate is refused.
        var (code, _, error) = JobsFixture.Cli("jobs", "submit", "--redis", _redis.Url, "--job", "t", "-i", input, "-m", JobsFixture.Model);
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("certificate", error);
        Assert.Contains("--redis-ca", error);
        Assert.Contains($"rediss://:***@127.0.0.1:{_redis.Port}/0", error);
        Assert.DoesNotContain(_redis.Password, error);

        // Trusted, but the wrong password: said as such, not as a certificate problem.
        (code, _, error) = JobsFixture.Cli("jobs", "status", "--redis", _redis.Url.Replace(_redis.Password, "not-" + _redis.Password, StringComparison.Ordinal), "--redis-ca", _redis.CaFile, "--job", "t");
        Assert.Equal(1, code);
        Assert.Equal($"lahja: error: Redis at rediss://:***@127.0.0.1:{_redis.Port}/0: authentication failed (wrong user or password)", error.Trim());

        (code, _, error) = JobsFixture.Cli("jobs", "status", "--redis", _redis.Url.Replace("rediss://", "redis://", StringComparison.Ordinal), "--job", "t");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("cannot connect", error);
        Assert.DoesNotContain(_redis.Password, error);
    }

    [Fact]
    public async Task Status_watch_follows_a_job_to_its_end()
    {
        var input = Input(200);
        var (code, _, error) = JobsFixture.Cli("jobs", "submit", "--redis", _redis.Url, "--redis-ca", _redis.CaFile, "--job", "w", "-i", input, "-m", JobsFixture.Model, "--chunk", "10");
        Assert.True(code == 0, error);
        var watching = Task.Run(() => JobsFixture.Cli("jobs", "status", "--redis", _redis.Url, "--redis-ca", _redis.CaFile, "--job", "w", "--watch", "0.05"), TestContext.Current.CancellationToken);
        // The watcher reports an unfinished job and keeps going until a worker has done every chunk.
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(watching.IsCompleted, "status --watch ended before the job was done");
        (code, _, error) = JobsFixture.Cli("jobs", "work", "--redis", _redis.Url, "--redis-ca", _redis.CaFile, "--job", "w", "-m", JobsFixture.Model, "--threads", "1");
        Assert.True(code == 0, error);
        var (watchCode, output, watchError) = await watching.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.True(watchCode == 0, watchError);
        var lines = output.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2, output);
        Assert.Contains("  0.0%  0/20 chunks", lines[0]);
        Assert.Contains("100.0%  20/20 chunks", lines[^1]);
    }
}
