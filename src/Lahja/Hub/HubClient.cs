using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Lahja.Hub;

/// <summary>A Hub failure a user can act on (authentication, missing repository, network, checksum).</summary>
public sealed class HubException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>Progress of one file's download.</summary>
/// <param name="File">The file within the repository.</param>
/// <param name="Bytes">Bytes present so far (resumed bytes included).</param>
/// <param name="Total">The file's size, when the Hub says it.</param>
public readonly record struct DownloadProgress(string File, long Bytes, long? Total);

/// <summary>
/// Downloads model repositories from the Hugging Face Hub into the cache shared with Python's
/// <c>huggingface_hub</c> (<see cref="HubCache"/>). Honours <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c> (or the token file
/// under <c>HF_HOME</c>) and <c>HF_HUB_OFFLINE</c>. Interrupted downloads resume from their <c>.incomplete</c> file;
/// LFS files are checked against their SHA-256; a file takes its final name only when complete and verified.
/// </summary>
public sealed class HubClient : IDisposable
{
    /// <summary>The files a BERT classifier needs; others in the repository (TF, Flax, ONNX weights…) are skipped.</summary>
    public static readonly IReadOnlyList<string> ModelFiles =
    [
        "config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "lahja.json",
    ];

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client for <paramref name="endpoint"/> (default: <c>HF_ENDPOINT</c>, else the public Hub).</summary>
    public HubClient(string? endpoint = null, string? token = null, HttpMessageHandler? handler = null)
    {
        Endpoint = (endpoint ?? Environment.GetEnvironmentVariable("HF_ENDPOINT") ?? "https://huggingface.co").TrimEnd('/');
        Token = token ?? ReadToken();
        // Redirects are followed by hand: the resolve endpoint's headers (commit, linked ETag and size) matter.
        _http = handler is null ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) : new HttpClient(handler, disposeHandler: false);
        _ownsHttp = true;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("lahja/1.0");
    }

    /// <summary>The Hub's base address.</summary>
    public string Endpoint { get; }

    /// <summary>The access token sent, if any.</summary>
    public string? Token { get; }

    /// <summary>Whether <c>HF_HUB_OFFLINE</c> forbids network access.</summary>
    public static bool Offline => Environment.GetEnvironmentVariable("HF_HUB_OFFLINE") is "1" or "true" or "TRUE" or "yes" or "ON" or "on";

    /// <summary>
    /// Makes sure <paramref name="repoId"/> at <paramref name="revision"/> is in the cache and returns its snapshot
    /// directory. Offline, the cached snapshot is returned or a <see cref="HubException"/> says it is missing.
    /// </summary>
    public async Task<string> DownloadAsync(string repoId, string revision = "main", IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!ModelLocator.IsHubId(repoId)) throw new ArgumentException($"'{repoId}' is not a Hub repository id (OWNER/NAME).", nameof(repoId));
        if (Offline)
            return HubCache.FindSnapshot(repoId, revision)
                   ?? throw new HubException($"HF_HUB_OFFLINE is set and {repoId}@{revision} is not in the cache ({HubCache.CacheDirectory}).");

        using var info = await SendAsync(HttpMethod.Get, $"{Endpoint}/api/models/{repoId}/revision/{Uri.EscapeDataString(revision)}", repoId, revision, cancellationToken);
        await using var infoStream = await info.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(infoStream, cancellationToken: cancellationToken);
        var commit = document.RootElement.TryGetProperty("sha", out var sha) ? sha.GetString() : null;
        if (commit is null || !document.RootElement.TryGetProperty("siblings", out var siblings))
            throw new HubException($"{Endpoint}: unexpected answer for {repoId}@{revision} (no sha or siblings).");
        var available = siblings.EnumerateArray().Select(s => s.GetProperty("rfilename").GetString()!).ToHashSet();
        var wanted = ModelFiles.Where(available.Contains).ToList();
        if (wanted.Contains("model.safetensors") || wanted.Contains("model.safetensors.index.json")) wanted.Remove("pytorch_model.bin");
        if (wanted.Contains("model.safetensors.index.json"))
            wanted.AddRange(available.Where(f => f.StartsWith("model-", StringComparison.Ordinal) && f.EndsWith(".safetensors", StringComparison.Ordinal)));
        if (!wanted.Contains("config.json"))
            throw new HubException($"{repoId}@{revision} has no config.json: it is not a Transformers model repository.");

        var folder = HubCache.RepositoryFolder(repoId);
        var snapshot = Path.Combine(folder, "snapshots", commit);
        foreach (var file in wanted)
            await DownloadFileAsync(repoId, commit, file, folder, snapshot, progress, cancellationToken);
        if (revision != commit)
        {
            var refFile = Path.Combine(folder, "refs", revision);
            Directory.CreateDirectory(Path.GetDirectoryName(refFile)!);
            AtomicFile.WriteAllText(refFile, commit);
        }
        return snapshot;
    }

    private async Task DownloadFileAsync(string repoId, string commit, string file, string folder, string snapshot, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var pointer = Path.Combine(snapshot, file);
        if (File.Exists(pointer)) return;
        var url = $"{Endpoint}/{repoId}/resolve/{commit}/{file}";
        using var head = await SendAsync(HttpMethod.Head, url, repoId, commit, cancellationToken, allowRedirect: true);
        var linkedEtag = Header(head, "X-Linked-Etag");
        var etag = Normalize(linkedEtag ?? head.Headers.ETag?.Tag ?? Header(head, "ETag"))
                   ?? throw new HubException($"{url}: the Hub sent no ETag, so the file cannot be cached safely.");
        var size = long.TryParse(Header(head, "X-Linked-Size"), out var linkedSize) ? linkedSize : head.Content.Headers.ContentLength;
        var location = head.StatusCode is HttpStatusCode.Found or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect or HttpStatusCode.SeeOther or HttpStatusCode.PermanentRedirect
            ? new Uri(new Uri(url), head.Headers.Location!).ToString()
            : url;
        var blob = Path.Combine(folder, "blobs", etag);
        if (!File.Exists(blob))
            await DownloadBlobAsync(location, blob, file, size, IsSha256(etag) ? etag : null, progress, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(pointer)!);
        // huggingface_hub links snapshot files to blobs with relative symlinks; copy where links are not possible.
        var relative = Path.GetRelativePath(Path.GetDirectoryName(pointer)!, blob);
        try
        {
            File.CreateSymbolicLink(pointer, relative);
        }
        catch (IOException) when (File.Exists(pointer))
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Copy(blob, pointer, overwrite: true);
        }
    }

    private async Task DownloadBlobAsync(string url, string blob, string file, long? size, string? sha256, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        var incomplete = blob + ".incomplete";
        for (var attempt = 1; ; attempt++)
        {
            var existing = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
                using var response = await SendFollowingRedirectsAsync(request, cancellationToken);
                if (existing > 0 && response.StatusCode != HttpStatusCode.PartialContent) existing = 0; // server ignored the range
                await using (var target = new FileStream(incomplete, existing > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
                {
                    var buffer = new byte[1 << 16];
                    long done = existing;
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        done += read;
                        progress?.Report(new DownloadProgress(file, done, size));
                    }
                }
                var length = new FileInfo(incomplete).Length;
                if (size is { } expected && length != expected)
                    throw new IOException($"connection closed after {length} of {expected} bytes");
                break;
            }
            catch (Exception e) when (e is IOException or HttpRequestException && attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                // Transient: retry, resuming from what was written.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new HubException($"Downloading {file} failed ({e.Message}); the partial file is kept and the next attempt resumes it.", e);
            }
        }
        if (sha256 is not null)
        {
            await using var stream = File.OpenRead(incomplete);
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            if (actual != sha256)
            {
                File.Delete(incomplete);
                throw new HubException($"{file}: SHA-256 {actual} does not match the Hub's {sha256}; the download was discarded.");
            }
        }
        File.Move(incomplete, blob, overwrite: true);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string repoId, string revision, CancellationToken cancellationToken, bool allowRedirect = false)
    {
        using var request = new HttpRequestMessage(method, url);
        HttpResponseMessage response;
        try
        {
            response = await SendRawAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new HubException($"Cannot reach {Endpoint} ({e.Message}). Check the network, or set HF_HUB_OFFLINE=1 to use the cache only.", e);
        }
        if (response.IsSuccessStatusCode || (allowRedirect && (int)response.StatusCode is >= 300 and < 400)) return response;
        var status = (int)response.StatusCode;
        response.Dispose();
        throw status switch
        {
            401 or 403 => new HubException($"{repoId}@{revision}: access denied ({status}). The repository is gated or private: accept its terms on the Hub and set HF_TOKEN{(Token is null ? "" : " (the token given was refused)")}."),
            404 => new HubException($"{repoId}@{revision}: not found (404). Check the repository id and revision."),
            _ => new HubException($"{url}: the Hub answered {status}."),
        };
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        for (var hop = 0; hop < 10; hop++)
        {
            using var attempt = new HttpRequestMessage(request.Method, uri);
            if (request.Headers.Range is { } range) attempt.Headers.Range = range;
            var response = await SendRawAsync(attempt, cancellationToken, authorize: uri.Authority == new Uri(Endpoint).Authority);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } next)
            {
                uri = new Uri(uri, next);
                response.Dispose();
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                throw new HttpRequestException($"{uri} answered {status}");
            }
            return response;
        }
        throw new HubException($"{request.RequestUri}: too many redirects.");
    }

    private Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken, bool authorize = true)
    {
        // The token goes to the Hub only, never to the storage host a redirect points at.
        if (authorize && Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    private static string? Normalize(string? etag) => etag?.Replace("W/", "").Trim('"');

    private static bool IsSha256(string etag) => etag.Length == 64 && etag.All(char.IsAsciiHexDigitLower);

    private static string? ReadToken()
    {
        var token = Environment.GetEnvironmentVariable("HF_TOKEN") ?? Environment.GetEnvironmentVariable("HUGGING_FACE_HUB_TOKEN");
        if (!string.IsNullOrWhiteSpace(token)) return token.Trim();
        var path = Environment.GetEnvironmentVariable("HF_TOKEN_PATH");
        if (string.IsNullOrEmpty(path))
        {
            var home = Environment.GetEnvironmentVariable("HF_HOME");
            path = Path.Combine(string.IsNullOrEmpty(home) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface") : home, "token");
        }
        return File.Exists(path) ? File.ReadAllText(path).Trim() is { Length: > 0 } t ? t : null : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
