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

    private RedisServer(string binary, bool tls)
    {
        Binary = binary;
        Tls = tls;
        Directory = System.IO.Directory.CreateTempSubdirectory("lahja-redis-").FullName;
        Port = FreePort();
        Password = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
    }

    public string Binary { get; }
    public string Directory { get; }
    public int Port { get; }
    public string Password { get; }

    /// <summary>Whether the server speaks TLS only (a certificate of its own test CA, <see cref="CaFile"/>).</summary>
    public bool Tls { get; }

    /// <summary>The PEM certificate of the CA that signed a TLS server's certificate.</summary>
    public string CaFile => Path.Combine(Directory, "ca.pem");

    /// <summary>The URL with the right password.</summary>
    public string Url => $"{(Tls ? "rediss" : "redis")}://:{Password}@127.0.0.1:{Port}";

    /// <summary>Starts a server, or skips the calling test when redis-server is absent.</summary>
    public static RedisServer Start(bool tls = false)
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (binary is null) Assert.Skip("redis-server is not installed (Debian: apt-get install -y redis-server; .ci/run installs it).");
        var server = new RedisServer(binary, tls);
        if (tls) server.WriteCertificates();
        server.Launch();
        return server;
    }

    /// <summary>A CA and a server certificate for 127.0.0.1 signed by it, as PEM files in the server's folder.</summary>
    private void WriteCertificates()
    {
        using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Lahja test CA", caKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign | System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), Guid.NewGuid().ToByteArray()[..8]);
        File.WriteAllText(CaFile, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "server.key"), key.ExportPkcs8PrivateKeyPem());
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
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] listen = Tls
            ? ["--port", "0", "--tls-port", port, "--tls-cert-file", Path.Combine(Directory, "server.pem"), "--tls-key-file", Path.Combine(Directory, "server.key"),
               "--tls-ca-cert-file", CaFile, "--tls-auth-clients", "no"]
            : ["--port", port];
        foreach (var a in (string[])[
                     .. listen, "--bind", "127.0.0.1", "--dir", Directory,
                     "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--requirepass", Password, "--daemonize", "no", "--logfile", "",
                 ])
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
