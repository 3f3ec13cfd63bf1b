using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace Lahja.Testing;

/// <summary>
/// A loopback HTTP server imitating the Hugging Face Hub endpoints Lahja uses: the revision API, <c>resolve</c> with
/// the Hub's headers (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size) and a redirect to a storage host for LFS
/// files, with Range support — plus faults and hostile answers on demand.
/// </summary>
public sealed class FakeHub : IDisposable
{
    public const string Repo = "owner/model";
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, Dictionary<string, (byte[] Content, bool Lfs)>> _repos = new(StringComparer.Ordinal);
    private readonly List<HttpListenerContext> _stalled = [];
    private readonly Task _loop;

    public FakeHub()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        SetFile("config.json", "{\"hidden_size\": 32}"u8.ToArray());
        SetFile("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"u8.ToArray());
        SetFile("model.safetensors", Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray(), lfs: true);
        SetFile("tf_model.h5", "not wanted"u8.ToArray(), lfs: true);
        _loop = Task.Run(Serve);
    }

    public string Endpoint { get; }

    public string? RequiredToken { get; set; }
    public bool Forbidden { get; set; }
    public int InterruptTransfers { get; set; }
    public bool CorruptLfs { get; set; }
    public List<string> Requests { get; } = [];

    /// <summary>Transfers to stall: the headers announce a huge body, half the file follows, then nothing.</summary>
    public int StallTransfers { get; set; }

    /// <summary>Metadata answers to withhold entirely (no headers ever).</summary>
    public int StallMetadata { get; set; }

    /// <summary>The commit the revision API announces instead of <see cref="Commit"/>.</summary>
    public string? CommitOverride { get; set; }

    /// <summary>The raw ETag header sent for a file instead of its hash (null: the real one).</summary>
    public Func<string, string?>? EtagOverride { get; set; }

    /// <summary>Where the resolve endpoint redirects LFS files instead of the storage host.</summary>
    public string? ResolveRedirect { get; set; }

    /// <summary>Where the storage host redirects instead of answering.</summary>
    public string? StorageRedirect { get; set; }

    /// <summary>Adds or replaces a file of <paramref name="repo"/> (default <see cref="Repo"/>); LFS files are served through the storage host.</summary>
    public void SetFile(string file, byte[] content, bool lfs = false, string repo = Repo)
    {
        lock (_repos)
        {
            if (!_repos.TryGetValue(repo, out var files)) _repos[repo] = files = new(StringComparer.Ordinal);
            files[file] = (content, lfs);
        }
    }

    public void RemoveFile(string file, string repo = Repo)
    {
        lock (_repos) _repos[repo].Remove(file);
    }

    /// <summary>Serves every file under <paramref name="directory"/> as repository <paramref name="repo"/> (weights as LFS files).</summary>
    public void AddRepository(string repo, string directory)
    {
        foreach (var path in Directory.GetFiles(directory, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/');
            SetFile(name, File.ReadAllBytes(path), name.EndsWith(".safetensors", StringComparison.Ordinal) || name.EndsWith(".bin", StringComparison.Ordinal), repo);
        }
    }

    public byte[] Content(string file) => _repos[Repo][file].Content;

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string GitEtag(byte[] data) => Convert.ToHexStringLower(SHA1.HashData(data));

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            try
            {
                Handle(context);
            }
            catch (Exception)
            {
                try { context.Response.Abort(); } catch (Exception) { }
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        lock (Requests) Requests.Add($"{request.HttpMethod} {path}{(request.Headers["Range"] is { } r ? " " + r : "")}");
        if (!path.StartsWith("/cdn/"))
        {
            var auth = request.Headers["Authorization"];
            if (RequiredToken is not null && auth != $"Bearer {RequiredToken}") { Status(response, 401); return; }
            if (Forbidden) { Status(response, 403); return; }
            if (StallMetadata > 0)
            {
                StallMetadata--;
                lock (_stalled) _stalled.Add(context);
                return;
            }
        }
        Dictionary<string, (byte[] Content, bool Lfs)> Files(string repo)
        {
            lock (_repos) return _repos.TryGetValue(repo, out var files) ? new(files) : [];
        }
        foreach (var repo in _repos.Keys.ToList())
        {
            if (path == $"/api/models/{repo}/revision/main" || path == $"/api/models/{repo}/revision/{Commit}")
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new { id = repo, sha = CommitOverride ?? Commit, siblings = Files(repo).Keys.Select(f => new { rfilename = f }) });
                response.ContentType = "application/json";
                response.OutputStream.Write(body);
                response.Close();
                return;
            }
            // Any commit in the path is answered (a hostile one too), so a client that trusted it would go on writing.
            var resolvePrefix = $"/{repo}/resolve/";
            var match = path.StartsWith(resolvePrefix)
                ? Files(repo).Where(f => path.EndsWith("/" + Uri.EscapeDataString(f.Key).Replace("%2F", "/"))).Select(f => (f.Key, f.Value)).FirstOrDefault()
                : default;
            if (match.Key is null) continue;
            var (name, file) = match;
            response.Headers["X-Repo-Commit"] = Commit;
            if (file.Lfs)
            {
                var sha = Sha256(file.Content);
                response.Headers["X-Linked-Etag"] = EtagOverride?.Invoke(name) ?? $"\"{sha}\"";
                response.Headers["X-Linked-Size"] = file.Content.Length.ToString();
                response.Headers["ETag"] = EtagOverride?.Invoke(name) ?? $"\"{sha}\"";
                response.StatusCode = 302;
                response.RedirectLocation = ResolveRedirect ?? $"{Endpoint}/cdn/{sha}";
                response.Close();
                return;
            }
            response.Headers["ETag"] = EtagOverride?.Invoke(name) ?? $"\"{GitEtag(file.Content)}\"";
            Send(context, file.Content);
            return;
        }
        if (path.StartsWith("/cdn/"))
        {
            if (StorageRedirect is not null)
            {
                response.StatusCode = 302;
                response.RedirectLocation = StorageRedirect;
                response.Close();
                return;
            }
            (byte[] Content, bool Lfs) match;
            lock (_repos) match = _repos.Values.SelectMany(f => f.Values).FirstOrDefault(f => Sha256(f.Content) == path[5..]);
            if (match.Content is null) { Status(response, 404); return; }
            var content = CorruptLfs ? match.Content.Select(b => (byte)(b ^ 1)).ToArray() : match.Content;
            Send(context, content);
            return;
        }
        Status(response, 404);
    }

    private void Send(HttpListenerContext context, byte[] content)
    {
        var (request, response) = (context.Request, context.Response);
        var start = 0;
        if (request.Headers["Range"] is { } range && range.StartsWith("bytes=") && int.TryParse(range[6..].TrimEnd('-'), out var from))
        {
            start = from;
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }
        if (request.HttpMethod == "HEAD") { response.ContentLength64 = content.Length - start; response.Close(); return; }
        if (StallTransfers > 0 && content.Length - start > 1000)
        {
            StallTransfers--;
            response.ContentLength64 = 1L << 40;
            response.OutputStream.Write(content, start, (content.Length - start) / 2);
            response.OutputStream.Flush();
            lock (_stalled) _stalled.Add(context); // left open, silent, until the client gives up or the hub stops
            return;
        }
        response.ContentLength64 = content.Length - start;
        if (InterruptTransfers > 0 && content.Length - start > 1000)
        {
            InterruptTransfers--;
            response.OutputStream.Write(content, start, (content.Length - start) / 2);
            response.OutputStream.Flush();
            response.Abort();
            return;
        }
        response.OutputStream.Write(content, start, content.Length - start);
        response.Close();
    }

    private static void Status(HttpListenerResponse response, int status)
    {
        response.StatusCode = status;
        response.Close();
    }

    /// <summary>The Hub goes away: its port is freed at once.</summary>
    public void StopListening() => _listener.Stop();

    public void Dispose()
    {
        lock (_stalled)
            foreach (var context in _stalled)
                try { context.Response.Abort(); } catch (Exception) { }
        // Close alone, and not after Stop: the managed HttpListener's Close after Stop binds the port again, and threw
        // "Address already in use" when another test had taken the freed port meanwhile (seen in CI).
        if (_listener.IsListening) _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
