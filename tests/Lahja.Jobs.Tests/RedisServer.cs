using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lahja.Jobs.Tests;

/// <summary>
/// A redis-server of its own for the tests: Debian's binary on a free loopback port, with its own temporary
/// directory, AOF on (fsync always, so a restart keeps every acknowledged write) and a password. Stopped and removed
/// on dispose. When redis-server is not installed, <see cref="Start"/> skips the test with a message.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private Process? _process;

    private RedisServer(string binary)
    {
        Binary = binary;
        Directory = System.IO.Directory.CreateTempSubdirectory("lahja-redis-").FullName;
        Port = FreePort();
        Password = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
    }

    public string Binary { get; }
    public string Directory { get; }
    public int Port { get; }
    public string Password { get; }

    /// <summary>The URL with the right password.</summary>
    public string Url => $"redis://:{Password}@127.0.0.1:{Port}";

    /// <summary>Starts a server, or skips the calling test when redis-server is absent.</summary>
    public static RedisServer Start()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (binary is null) Assert.Skip("redis-server is not installed (Debian: apt-get install -y redis-server; .ci/run installs it).");
        var server = new RedisServer(binary);
        server.Launch();
        return server;
    }

    /// <summary>Stops the server the way a service manager does (SIGTERM, which flushes the AOF) and starts it again on the same port and data.</summary>
    public void Restart()
    {
        Stop();
        Launch();
    }

    private void Launch()
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory,
                     "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--requirepass", Password, "--daemonize", "no", "--logfile", "",
                 })
            start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        var ready = new TaskCompletionSource();
        var log = new System.Text.StringBuilder();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { ready.TrySetResult(); return; }
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(60)) || _process.HasExited)
            throw new InvalidOperationException("redis-server did not start:\n" + log);
    }

    private void Stop()
    {
        if (_process is null || _process.HasExited) return;
        Syscall.Kill(_process.Id, Syscall.SigTerm);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Stop();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
