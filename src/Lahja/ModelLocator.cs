namespace Lahja;

/// <summary>Turns what a user names as a model (a directory, a Hub id, or nothing) into a checkpoint directory.</summary>
public static class ModelLocator
{
    /// <summary>Environment variable naming the default model (directory or Hub id).</summary>
    public const string ModelVariable = "LAHJA_MODEL";

    /// <summary>
    /// The directory of the bundled default model, searched upwards from the application's folder as
    /// <c>models/default</c> (repository checkouts and published layouts), or null when there is none yet.
    /// </summary>
    public static string? BundledModel()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "default");
            if (File.Exists(Path.Combine(candidate, "config.json"))) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Resolves <paramref name="model"/>: an existing directory is used as is; <c>OWNER/NAME</c> is a Hugging Face Hub
    /// id, downloaded into the Hub cache on first use; null means <see cref="ModelVariable"/>, then the bundled model.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing names a usable model; the message says how to get one.</exception>
    public static string Resolve(string? model, IProgress<Hub.DownloadProgress>? downloadProgress = null)
    {
        model ??= Environment.GetEnvironmentVariable(ModelVariable);
        if (model is null)
            return BundledModel() ?? throw new FileNotFoundException(
                "No model given and no bundled model found (models/default). Pass --model DIR (a Hugging Face BERT " +
                "checkpoint directory: config.json, model.safetensors or pytorch_model.bin, vocab.txt), or --model " +
                "OWNER/NAME for a Hugging Face Hub model such as AHAAM/B2BERT (downloaded into the shared Hub cache on first use), or set " + ModelVariable + ".");
        if (Directory.Exists(model)) return model;
        if (File.Exists(model))
            throw new DirectoryNotFoundException($"Model {Hub.HubText.Show(model)} is a file; --model takes a checkpoint directory (config.json, weights, vocab.txt) or a Hub id (OWNER/NAME).");
        if (LooksLikePath(model))
            throw new DirectoryNotFoundException($"Model directory {Hub.HubText.Show(model)} does not exist{(ExistingParent(model) is { } parent ? $" (in {Hub.HubText.Show(parent)})" : "")}.");
        if (IsHubId(model))
        {
            // The first use of a Hub id downloads it; later uses (and HF_HUB_OFFLINE) read the cache.
            try
            {
                if (Hub.HubCache.FindSnapshot(model) is { } cached) return cached;
                using var client = new Hub.HubClient();
                return client.DownloadAsync(model, progress: downloadProgress).GetAwaiter().GetResult();
            }
            catch (Hub.HubException e)
            {
                // The user may have meant either: say what failed for both readings.
                throw new Hub.HubException($"Model {Hub.HubText.Show(model)} is not a directory here ({Path.GetFullPath(model)} does not exist), and as a Hugging Face Hub id it could not be loaded: {e.Message}", e);
            }
        }
        throw new DirectoryNotFoundException($"Model {Hub.HubText.Show(model)} is neither a directory nor a Hub id (OWNER/NAME).");
    }

    /// <summary>
    /// Whether a name that is not an existing directory was meant as a path rather than a Hub id: it starts with
    /// <c>.</c>, <c>/</c> or <c>~</c>, has more than one '/', or its parent folder exists (<c>models/nope</c>).
    /// </summary>
    private static bool LooksLikePath(string model) =>
        model.StartsWith('.') || model.StartsWith('/') || model.StartsWith('~') || model.Count(c => c == '/') > 1 || ExistingParent(model) is not null;

    private static string? ExistingParent(string model)
    {
        var parent = Path.GetDirectoryName(model.TrimEnd('/'));
        return !string.IsNullOrEmpty(parent) && Directory.Exists(parent) ? parent : null;
    }

    /// <summary>Whether <paramref name="text"/> has the form of a Hub repository id.</summary>
    public static bool IsHubId(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) && !text.Contains("..");
    }
}
