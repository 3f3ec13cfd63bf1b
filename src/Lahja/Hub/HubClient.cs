using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Lahja.Checkpoints;

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
/// under <c>HF_HOME</c>), <c>HF_HUB_OFFLINE</c>, <c>HF_HUB_ETAG_TIMEOUT</c> and <c>HF_HUB_DOWNLOAD_TIMEOUT</c>.
/// Interrupted or stalled downloads resume from their <c>.incomplete</c> file; LFS files are checked against their
/// SHA-256; a file takes its final name only when complete and verified. Every name the Hub sends (commit, ETag,
/// file names) is checked before it becomes part of a path, so a hostile endpoint cannot write outside the cache.
/// </summary>
public sealed class HubClient : IDisposable
{
    /// <summary>The files a BERT classifier needs; others in the repository (TF, Flax, ONNX weights…) are skipped.</summary>
    public static readonly IReadOnlyList<string> ModelFiles =
    [
        "config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "lahja.json",
    ];

    /// <summary>Seconds a download may wait for the server (connection, headers, each read), as huggingface_hub's variable.</summary>
    public const string DownloadTimeoutVariable = "HF_HUB_DOWNLOAD_TIMEOUT";

    /// <summary>Seconds a metadata request (revision info, a file's headers) may take, as huggingface_hub's variable.</summary>
    public const string MetadataTimeoutVariable = "HF_HUB_ETAG_TIMEOUT";

    private const int MaxRedirects = 10;
    private const int MaxAttempts = 3;
    private const long MaxMetadataBytes = 64 << 20;

    private readonly HttpClient _http;
    private readonly TimeSpan _downloadTimeout;
    private readonly TimeSpan _metadataTimeout;

    /// <summary>Creates a client for <paramref name="endpoint"/> (default: <c>HF_ENDPOINT</c>, else the public Hub).</summary>
    /// <exception cref="HubException">The endpoint is not an http(s) address, or a timeout variable is not a positive number of seconds.</exception>
    public HubClient(string? endpoint = null, string? token = null, HttpMessageHandler? handler = null)
    {
        Endpoint = (endpoint ?? Environment.GetEnvironmentVariable("HF_ENDPOINT") ?? "https://huggingface.co").TrimEnd('/');
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpointUri) || (endpointUri.Scheme != Uri.UriSchemeHttp && endpointUri.Scheme != Uri.UriSchemeHttps))
            throw new HubException($"The Hub endpoint {HubText.Show(Endpoint)} (HF_ENDPOINT) is not an http or https address.");
        Token = token ?? ReadToken();
        _downloadTimeout = TimeoutSetting(DownloadTimeoutVariable);
        _metadataTimeout = TimeoutSetting(MetadataTimeoutVariable);
        // Redirects are followed by hand: the resolve endpoint's headers (commit, linked ETag and size) matter.
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = _downloadTimeout })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan; // per request and per read instead, below: a large file may take hours
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("lahja/1.0");
    }

    /// <summary>
    /// Creates a snapshot file's relative link to its blob (path, target). Replaced in tests to stand for a system that
    /// refuses links (Windows without Developer Mode or the symlink right), where the blob is copied instead.
    /// </summary>
    internal Func<string, string, FileSystemInfo> CreateSymbolicLink { get; init; } = File.CreateSymbolicLink;

    /// <summary>The Hub's base address.</summary>
    public string Endpoint { get; }

    /// <summary>The access token sent, if any.</summary>
    public string? Token { get; }

    /// <summary>Whether <c>HF_HUB_OFFLINE</c> forbids network access.</summary>
    public static bool Offline => Environment.GetEnvironmentVariable("HF_HUB_OFFLINE") is "1" or "true" or "TRUE" or "yes" or "ON" or "on";

    /// <summary>
    /// Makes sure <paramref name="repoId"/> at <paramref name="revision"/> is in the cache and returns its snapshot
    /// directory. Offline, the cached snapshot is returned when it is complete, else a <see cref="HubException"/> says
    /// what is missing.
    /// </summary>
    public async Task<string> DownloadAsync(string repoId, string revision = "main", IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!ModelLocator.IsHubId(repoId)) throw new ArgumentException($"{HubText.Show(repoId)} is not a Hub repository id (OWNER/NAME).", nameof(repoId));
        if (!CheckpointFiles.IsSafeRelativeName(revision)) throw new ArgumentException($"{HubText.Show(revision)} is not a revision name.", nameof(revision));
        if (Offline)
        {
            var (cached, problem) = HubCache.Locate(repoId, revision);
            return cached ?? throw new HubException($"HF_HUB_OFFLINE is set and {problem}.");
        }
        var refFile = HubCache.PathInside(repoId, "refs/" + revision, "revision");

        // First every name the Hub sends is checked and every path computed; only then is anything written.
        var info = await ReadMetadataAsync($"{Endpoint}/api/models/{repoId}/revision/{Uri.EscapeDataString(revision)}", repoId, revision, cancellationToken);
        var (commit, available) = ParseRevisionInfo(info, repoId, revision);
        var wanted = ModelFiles.Where(available.Contains).ToList();
        if (wanted.Contains("model.safetensors") || wanted.Contains("model.safetensors.index.json")) wanted.Remove("pytorch_model.bin");
        if (wanted.Contains("model.safetensors")) wanted.Remove("model.safetensors.index.json"); // the loader prefers the single file
        if (!wanted.Contains("config.json"))
            throw new HubException($"{repoId}@{HubText.Show(revision)} has no config.json: it is not a Transformers model repository.");
        var plans = new List<FilePlan>();
        foreach (var file in wanted)
            plans.Add(await PlanAsync(repoId, commit, file, cancellationToken));
        if (plans.FirstOrDefault(p => p.File == CheckpointFiles.SafeTensorsIndex) is { } indexPlan)
        {
            // The shards are those the index maps tensors to, each one also in the repository's listing.
            var index = indexPlan.Content ??= File.Exists(indexPlan.Pointer)
                ? await File.ReadAllBytesAsync(indexPlan.Pointer, cancellationToken)
                : await FetchSmallAsync(indexPlan, repoId, cancellationToken);
            IReadOnlyList<(string Tensor, string File)> map;
            try
            {
                map = ShardedSafeTensors.ReadWeightMap(index, $"{repoId}: {CheckpointFiles.SafeTensorsIndex}");
            }
            catch (InvalidDataException e)
            {
                throw new HubException(e.Message + " Nothing was written.", e);
            }
            foreach (var shard in map.Select(m => m.File).Distinct(StringComparer.Ordinal))
            {
                if (!available.Contains(shard))
                    throw new HubException($"{repoId}: {CheckpointFiles.SafeTensorsIndex} names the shard {HubText.Show(shard)}, which the repository does not list.");
                plans.Add(await PlanAsync(repoId, commit, shard, cancellationToken));
            }
        }

        foreach (var plan in plans)
            await DownloadFileAsync(plan, progress, cancellationToken);
        if (revision != commit)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(refFile)!);
            AtomicFile.WriteAllText(refFile, commit);
        }
        return HubCache.PathInside(repoId, "snapshots/" + commit, "snapshot");
    }

    /// <summary>One file to fetch: where it comes from and, all checked, where it goes.</summary>
    private sealed class FilePlan(string file, string url, string pointer, string blob, string? sha256, long? size)
    {
        public string File { get; } = file;
        public string Url { get; } = url;
        public string Pointer { get; } = pointer;
        public string Blob { get; } = blob;
        public string? Sha256 { get; } = sha256;
        public long? Size { get; } = size;
        public byte[]? Content { get; set; }
    }

    private static (string Commit, HashSet<string> Files) ParseRevisionInfo(byte[] body, string repoId, string revision)
    {
        HubException Unexpected(string what) => new($"{repoId}@{HubText.Show(revision)}: unexpected answer from the Hub ({what}).");
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Unexpected("not a JSON object");
            var commit = root.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String ? sha.GetString()! : throw Unexpected("no commit sha");
            if (!HubCache.IsCommitHash(commit))
                throw new HubException($"{repoId}@{HubText.Show(revision)}: the Hub sent the commit {HubText.Show(commit)}, which is not a 40-digit lowercase hexadecimal hash; nothing was written.");
            if (!root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array) throw Unexpected("no file list");
            var files = new HashSet<string>(StringComparer.Ordinal);
            foreach (var sibling in siblings.EnumerateArray())
                if (sibling.ValueKind == JsonValueKind.Object && sibling.TryGetProperty("rfilename", out var name) && name.ValueKind == JsonValueKind.String)
                    files.Add(name.GetString()!);
            return (commit, files);
        }
        catch (JsonException e)
        {
            throw Unexpected($"not valid JSON: {e.Message}");
        }
    }

    private async Task<FilePlan> PlanAsync(string repoId, string commit, string file, CancellationToken cancellationToken)
    {
        if (!CheckpointFiles.IsSafeRelativeName(file))
            throw new HubException($"{repoId}: the Hub names the file {HubText.Show(file)}, which is not a relative path inside the repository; nothing was written.");
        var pointer = HubCache.PathInside(repoId, $"snapshots/{commit}/{file}", "snapshot file");
        var url = $"{Endpoint}/{repoId}/resolve/{commit}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}";
        if (File.Exists(pointer)) return new FilePlan(file, url, pointer, pointer, null, null);
        using var head = await SendAsync(HttpMethod.Head, url, repoId, commit, cancellationToken, allowRedirect: true);
        var rawEtag = Header(head, "X-Linked-Etag") ?? head.Headers.ETag?.Tag ?? Header(head, "ETag")
                      ?? throw new HubException($"{repoId}: {HubText.Show(file)}: the Hub sent no ETag, so the file cannot be cached safely.");
        var etag = rawEtag.Trim().Replace("W/", "", StringComparison.Ordinal).Trim('"');
        // huggingface_hub names blobs by the ETag: a git SHA-1 (40) or an LFS SHA-256 (64), nothing else.
        if (etag.Length is not (40 or 64) || !etag.All(char.IsAsciiHexDigitLower))
            throw new HubException($"{repoId}: {HubText.Show(file)}: the Hub sent the ETag {HubText.Show(rawEtag)}, which is not a 40- or 64-digit lowercase hexadecimal hash; nothing was written.");
        var blob = HubCache.PathInside(repoId, "blobs/" + etag, "blob");
        HubCache.PathInside(repoId, $"blobs/{etag}.incomplete", "partial download");
        long? size = long.TryParse(Header(head, "X-Linked-Size"), NumberStyles.None, CultureInfo.InvariantCulture, out var linkedSize) ? linkedSize : head.Content.Headers.ContentLength;
        var location = url;
        if ((int)head.StatusCode is >= 300 and < 400)
        {
            if (head.Headers.Location is not { } next)
                throw new HubException($"{repoId}: {HubText.Show(file)}: the Hub answered {(int)head.StatusCode} without a Location to follow.");
            location = CheckedRedirect(new Uri(url), next, file).ToString();
        }
        return new FilePlan(file, location, pointer, blob, etag.Length == 64 ? etag : null, size);
    }

    private async Task DownloadFileAsync(FilePlan plan, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (File.Exists(plan.Pointer)) return;
        if (!File.Exists(plan.Blob))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(plan.Blob)!);
            var incomplete = plan.Blob + ".incomplete";
            if (plan.Content is { } content)
            {
                await File.WriteAllBytesAsync(incomplete, content, cancellationToken);
                progress?.Report(new DownloadProgress(plan.File, content.Length, content.Length));
            }
            else
            {
                await DownloadBlobAsync(plan, incomplete, progress, cancellationToken);
            }
            await FinishBlobAsync(plan, incomplete, cancellationToken);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(plan.Pointer)!);
        // A dangling link left from an earlier cache state: replace the link itself, never write through it.
        if (new FileInfo(plan.Pointer).LinkTarget is not null) File.Delete(plan.Pointer);
        // huggingface_hub links snapshot files to blobs with relative symlinks; copy where links are not possible.
        var relative = Path.GetRelativePath(Path.GetDirectoryName(plan.Pointer)!, plan.Blob);
        try
        {
            CreateSymbolicLink(plan.Pointer, relative);
        }
        catch (IOException) when (File.Exists(plan.Pointer))
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Copy(plan.Blob, plan.Pointer, overwrite: true);
        }
    }

    private async Task DownloadBlobAsync(FilePlan plan, string incomplete, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, plan.Url);
                if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
                using var response = await SendFollowingRedirectsAsync(request, plan.File, cancellationToken);
                // A server that ignores the range (or answers another one) sends the whole file: start again.
                if (existing > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != existing)) existing = 0;
                await using (var target = new FileStream(incomplete, existing > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
                {
                    var buffer = new byte[1 << 16];
                    long done = existing;
                    int read;
                    while ((read = await ReadWithinAsync(body, buffer, _downloadTimeout, DownloadTimeoutVariable, cancellationToken)) > 0)
                    {
                        done += read;
                        if (plan.Size is { } limit && done > limit)
                            throw new OversizeException($"{HubText.Show(plan.File)}: the server sent more than the {limit:N0} bytes the Hub announced; the download was discarded.");
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        progress?.Report(new DownloadProgress(plan.File, done, plan.Size));
                    }
                }
                var length = new FileInfo(incomplete).Length;
                if (plan.Size is { } expected && length != expected)
                    throw new IOException($"connection closed after {length:N0} of {expected:N0} bytes");
                return;
            }
            catch (OversizeException e)
            {
                File.Delete(incomplete);
                throw new HubException(e.Message, e);
            }
            catch (HubException)
            {
                throw; // not transient (a refused redirect, too many of them): no retry
            }
            catch (Exception e) when (e is IOException or HttpRequestException && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                // Transient (a dropped or stalled connection, a server error): retry, resuming from what was written.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                var kept = File.Exists(incomplete) && new FileInfo(incomplete).Length > 0
                    ? " The partial file is kept and the next attempt resumes it."
                    : "";
                throw new HubException($"Downloading {HubText.Show(plan.File)} failed after {MaxAttempts} attempts ({e.Message}).{kept}", e);
            }
        }
    }

    /// <summary>The server sent more bytes than announced; thrown inside the writing loop, turned into a <see cref="HubException"/> once the file is closed.</summary>
    private sealed class OversizeException(string message) : Exception(message);

    private static async Task FinishBlobAsync(FilePlan plan, string incomplete, CancellationToken cancellationToken)
    {
        if (plan.Sha256 is { } sha256)
        {
            string actual;
            await using (var stream = File.OpenRead(incomplete))
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            if (actual != sha256)
            {
                File.Delete(incomplete);
                throw new HubException($"{HubText.Show(plan.File)}: SHA-256 {actual} does not match the Hub's {sha256}; the download was discarded.");
            }
        }
        File.Move(incomplete, plan.Blob, overwrite: true);
    }

    /// <summary>A small file (the shard index) read into memory, so its names can be checked before anything is written.</summary>
    private async Task<byte[]> FetchSmallAsync(FilePlan plan, string repoId, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, plan.Url);
            using var response = await SendFollowingRedirectsAsync(request, plan.File, cancellationToken);
            return await ReadBodyAsync(response, $"{repoId}: {HubText.Show(plan.File)}", _downloadTimeout, DownloadTimeoutVariable, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && e is not HubException)
        {
            throw new HubException($"Downloading {HubText.Show(plan.File)} of {repoId} failed ({e.Message}).", e);
        }
    }

    private async Task<byte[]> ReadMetadataAsync(string url, string repoId, string revision, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, url, repoId, revision, cancellationToken);
        try
        {
            return await ReadBodyAsync(response, $"{repoId}@{HubText.Show(revision)}", _metadataTimeout, MetadataTimeoutVariable, cancellationToken);
        }
        catch (IOException e) when (e is not HubException)
        {
            throw new HubException($"{repoId}@{HubText.Show(revision)}: reading the Hub's answer failed ({e.Message}).", e);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string what, TimeSpan timeout, string variable, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxMetadataBytes)
            throw new HubException($"{what}: the answer announces {response.Content.Headers.ContentLength:N0} bytes, more than the {MaxMetadataBytes:N0} accepted.");
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var memory = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await ReadWithinAsync(body, buffer, timeout, variable, cancellationToken)) > 0)
        {
            if (memory.Length + read > MaxMetadataBytes)
                throw new HubException($"{what}: the answer is longer than the {MaxMetadataBytes:N0} bytes accepted.");
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }

    /// <summary>One read that fails with an <see cref="IOException"/> when no byte arrives within <paramref name="timeout"/>.</summary>
    private static async Task<int> ReadWithinAsync(Stream body, byte[] buffer, TimeSpan timeout, string variable, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(timeout);
        try
        {
            return await body.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"no data for {timeout.TotalSeconds:0.###} s ({variable})", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string repoId, string revision, CancellationToken cancellationToken, bool allowRedirect = false)
    {
        using var request = new HttpRequestMessage(method, url);
        HttpResponseMessage response;
        try
        {
            response = await SendRawAsync(request, _metadataTimeout, MetadataTimeoutVariable, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new HubException($"Cannot reach {HubText.Show(Endpoint)} ({e.Message}). Check the network, or set HF_HUB_OFFLINE=1 to use the cache only.", e);
        }
        if (response.IsSuccessStatusCode || (allowRedirect && (int)response.StatusCode is >= 300 and < 400)) return response;
        var status = (int)response.StatusCode;
        response.Dispose();
        var name = $"{repoId}@{HubText.Show(revision)}";
        throw status switch
        {
            401 or 403 => new HubException($"{name}: access denied ({status}). The repository is gated or private: accept its terms on the Hub and set HF_TOKEN{(Token is null ? "" : " (the token given was refused)")}."),
            404 => new HubException($"{name}: not found (404). Check the repository id and revision."),
            _ => new HubException($"{HubText.Show(url)}: the Hub answered {status}."),
        };
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpRequestMessage request, string file, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var attempt = new HttpRequestMessage(request.Method, uri);
            if (request.Headers.Range is { } range) attempt.Headers.Range = range;
            var response = await SendRawAsync(attempt, _downloadTimeout, DownloadTimeoutVariable, cancellationToken, authorize: uri.Authority == new Uri(Endpoint).Authority);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } next)
            {
                response.Dispose();
                uri = CheckedRedirect(uri, next, file);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                throw new HttpRequestException($"{HubText.Show(uri.ToString())} answered {status}");
            }
            return response;
        }
        throw new HubException($"{HubText.Show(file)}: more than {MaxRedirects} redirects from {HubText.Show(request.RequestUri!.ToString())}; gave up.");
    }

    /// <summary>The address a redirect points at, when it is one the client may follow (http or https only).</summary>
    private static Uri CheckedRedirect(Uri from, Uri location, string file)
    {
        var next = new Uri(from, location);
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
            throw new HubException($"{HubText.Show(file)}: the server redirected to {HubText.Show(next.OriginalString)}; only http and https addresses are followed.");
        return next;
    }

    /// <summary>Sends a request; the connection and the response headers must come within <paramref name="timeout"/>.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, TimeSpan timeout, string variable, CancellationToken cancellationToken, bool authorize = true)
    {
        // The token goes to the Hub only, never to the storage host a redirect points at.
        if (authorize && Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"no answer from {HubText.Show(request.RequestUri!.Authority)} within {timeout.TotalSeconds:0.###} s ({variable})", e);
        }
    }

    private static TimeSpan TimeoutSetting(string variable)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.FromSeconds(10); // huggingface_hub's default for both
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0)
            throw new HubException($"{variable}={HubText.Show(text)} is not a positive number of seconds.");
        return TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000.0));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

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
    public void Dispose() => _http.Dispose();
}
