using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Lahja.Tests.Hub;

/// <summary>
/// A loopback HTTP server imitating the Hugging Face Hub endpoints Lahja uses: the revision API, <c>resolve</c> with
/// the Hub's headers (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size) and a redirect to a storage host for LFS
/// files, with Range support — plus faults on demand.
/// </summary>
internal sealed class FakeHub : IDisposable
{
    public const string Repo = "owner/model";
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, (byte[] Content, bool Lfs)> _files = new();
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
        _files["config.json"] = ("{\"hidden_size\": 32}"u8.ToArray(), false);
        _files["vocab.txt"] = ("[PAD]\n[UNK]\n[CLS]\n[SEP]\n"u8.ToArray(), false);
        _files["model.safetensors"] = (Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray(), true);
        _files["tf_model.h5"] = ("not wanted"u8.ToArray(), true);
        _loop = Task.Run(Serve);
    }

    public string Endpoint { get; }

    public string? RequiredToken { get; set; }
    public bool Forbidden { get; set; }
    public int InterruptTransfers { get; set; }
    public bool CorruptLfs { get; set; }
    public List<string> Requests { get; } = [];

    public byte[] Content(string file) => _files[file].Content;

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
        }
        if (path == $"/api/models/{Repo}/revision/main" || path == $"/api/models/{Repo}/revision/{Commit}")
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new { id = Repo, sha = Commit, siblings = _files.Keys.Select(f => new { rfilename = f }) });
            response.ContentType = "application/json";
            response.OutputStream.Write(body);
            response.Close();
            return;
        }
        var resolvePrefix = $"/{Repo}/resolve/{Commit}/";
        if (path.StartsWith(resolvePrefix) && _files.TryGetValue(path[resolvePrefix.Length..], out var file))
        {
            response.Headers["X-Repo-Commit"] = Commit;
            if (file.Lfs)
            {
                var sha = Sha256(file.Content);
                response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
                response.Headers["X-Linked-Size"] = file.Content.Length.ToString();
                response.Headers["ETag"] = $"\"{sha}\"";
                response.StatusCode = 302;
                response.RedirectLocation = $"{Endpoint}/cdn/{sha}";
                response.Close();
                return;
            }
            response.Headers["ETag"] = $"\"{GitEtag(file.Content)}\"";
            Send(request, response, file.Content);
            return;
        }
        if (path.StartsWith("/cdn/"))
        {
            var match = _files.Values.FirstOrDefault(f => Sha256(f.Content) == path[5..]);
            if (match.Content is null) { Status(response, 404); return; }
            var content = CorruptLfs ? match.Content.Select(b => (byte)(b ^ 1)).ToArray() : match.Content;
            Send(request, response, content);
            return;
        }
        Status(response, 404);
    }

    private void Send(HttpListenerRequest request, HttpListenerResponse response, byte[] content)
    {
        var start = 0;
        if (request.Headers["Range"] is { } range && range.StartsWith("bytes=") && int.TryParse(range[6..].TrimEnd('-'), out var from))
        {
            start = from;
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }
        response.ContentLength64 = content.Length - start;
        if (request.HttpMethod == "HEAD") { response.Close(); return; }
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

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
