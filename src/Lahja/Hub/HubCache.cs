using Lahja.Checkpoints;

namespace Lahja.Hub;

/// <summary>
/// The Hugging Face Hub cache, laid out exactly as Python's <c>huggingface_hub</c> lays it out, so either tool reuses
/// what the other downloaded: <c>$HF_HUB_CACHE</c> (default <c>$HF_HOME/hub</c>, <c>$HF_HOME</c> defaulting to
/// <c>~/.cache/huggingface</c>) / <c>models--OWNER--NAME</c> / <c>blobs</c>, <c>snapshots/COMMIT</c>, <c>refs/REVISION</c>.
/// </summary>
public static class HubCache
{
    /// <summary>The cache root in force.</summary>
    public static string CacheDirectory
    {
        get
        {
            var hubCache = Environment.GetEnvironmentVariable("HF_HUB_CACHE") ?? Environment.GetEnvironmentVariable("HUGGINGFACE_HUB_CACHE");
            if (!string.IsNullOrEmpty(hubCache)) return Expand(hubCache);
            var home = Environment.GetEnvironmentVariable("HF_HOME");
            if (string.IsNullOrEmpty(home))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                home = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg, "huggingface");
            }
            return Path.Combine(Expand(home), "hub");
        }
    }

    /// <summary>The folder of a model repository in the cache (a full path).</summary>
    public static string RepositoryFolder(string repoId) => Path.GetFullPath(Path.Combine(CacheDirectory, "models--" + repoId.Replace("/", "--")));

    /// <summary>Whether <paramref name="text"/> is a commit hash as the Hub writes one: 40 lowercase hexadecimal digits.</summary>
    public static bool IsCommitHash(string? text) => text is { Length: 40 } && text.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// Joins <paramref name="relative"/> (parts of a cache path: <c>snapshots/COMMIT/FILE</c>, <c>blobs/ETAG</c>,
    /// <c>refs/REVISION</c>) to the repository folder and checks that the full path is still inside it.
    /// </summary>
    /// <exception cref="HubException">The path would leave the repository folder; the message names the repository and the value.</exception>
    public static string PathInside(string repoId, string relative, string what)
    {
        var folder = RepositoryFolder(repoId);
        var path = CheckpointFiles.IsSafeRelativeName(relative) ? Path.GetFullPath(Path.Combine(folder, relative)) : null;
        if (path is null || !CheckpointFiles.IsInside(folder, path))
            throw new HubException($"{repoId}: {what} {HubText.Show(relative)} would not lie inside the cache folder {folder}; nothing was written.");
        return path;
    }

    /// <summary>
    /// The snapshot folder of <paramref name="repoId"/> at <paramref name="revision"/> (a branch or tag through
    /// <c>refs/</c>, or a commit hash) when it is cached with everything a model needs, else null.
    /// </summary>
    public static string? FindSnapshot(string repoId, string revision = "main") => Locate(repoId, revision).Snapshot;

    /// <summary>
    /// Looks <paramref name="repoId"/> at <paramref name="revision"/> up in the cache: the snapshot folder when it
    /// holds a complete model (config, weights — every shard of an index —, vocabulary), else null and why.
    /// </summary>
    public static (string? Snapshot, string Problem) Locate(string repoId, string revision = "main")
    {
        if (!ModelLocator.IsHubId(repoId))
            return (null, $"{HubText.Show(repoId)} is not a Hub repository id (OWNER/NAME)");
        if (!CheckpointFiles.IsSafeRelativeName(revision))
            return (null, $"revision {HubText.Show(revision)} is not a valid revision name");
        var refFile = PathInside(repoId, "refs/" + revision, "revision");
        string commit;
        if (File.Exists(refFile))
        {
            commit = File.ReadAllText(refFile).Trim();
            if (!IsCommitHash(commit))
                return (null, $"{refFile} holds {HubText.Show(commit)}, which is not a commit hash");
        }
        else if (IsCommitHash(revision))
        {
            commit = revision;
        }
        else
        {
            return (null, $"{repoId}@{revision} is not in the cache ({CacheDirectory})"); // revision checked above: printable
        }
        var snapshot = PathInside(repoId, "snapshots/" + commit, "snapshot");
        if (!Directory.Exists(snapshot)) return (null, $"{repoId}@{revision} is not in the cache ({CacheDirectory})"); // revision checked above: printable
        var missing = MissingModelFiles(snapshot);
        return missing is null ? (snapshot, "") : (null, $"the cached snapshot {snapshot} lacks {missing}");
    }

    /// <summary>What a model directory lacks to be loaded (config, weights, vocabulary), or null when nothing.</summary>
    private static string? MissingModelFiles(string directory)
    {
        bool Has(string name) => File.Exists(Path.Combine(directory, name)); // File.Exists follows symlinks: a dangling one is missing
        var missing = new List<string>();
        if (!Has(CheckpointFiles.Config)) missing.Add(CheckpointFiles.Config);
        if (Has(CheckpointFiles.SafeTensorsIndex))
        {
            var index = Path.Combine(directory, CheckpointFiles.SafeTensorsIndex);
            var shards = ShardedSafeTensors.ReadWeightMap(File.ReadAllBytes(index), index).Select(e => e.File).Distinct().Where(f => !Has(f)).ToList();
            if (shards.Count > 0) missing.Add("the shards " + string.Join(", ", shards.Select(HubText.Show)));
        }
        else if (!Has(CheckpointFiles.SafeTensors) && !Has(CheckpointFiles.PyTorchBin))
        {
            missing.Add($"the weights ({CheckpointFiles.SafeTensors}, {CheckpointFiles.SafeTensorsIndex} or {CheckpointFiles.PyTorchBin})");
        }
        if (!Has("vocab.txt") && !Has("tokenizer.json")) missing.Add("the vocabulary (vocab.txt or tokenizer.json)");
        return missing.Count == 0 ? null : string.Join(" and ", missing);
    }

    private static string Expand(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]) : path;
}
