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

    /// <summary>The folder of a model repository in the cache.</summary>
    public static string RepositoryFolder(string repoId) => Path.Combine(CacheDirectory, "models--" + repoId.Replace("/", "--"));

    /// <summary>
    /// The snapshot folder of <paramref name="repoId"/> at <paramref name="revision"/> (a branch or tag through
    /// <c>refs/</c>, or a commit hash), or null when it is not cached.
    /// </summary>
    public static string? FindSnapshot(string repoId, string revision = "main")
    {
        var folder = RepositoryFolder(repoId);
        var refFile = Path.Combine(folder, "refs", revision);
        var commit = File.Exists(refFile) ? File.ReadAllText(refFile).Trim() : revision;
        var snapshot = Path.Combine(folder, "snapshots", commit);
        return Directory.Exists(snapshot) && File.Exists(Path.Combine(snapshot, "config.json")) ? snapshot : null;
    }

    private static string Expand(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]) : path;
}
