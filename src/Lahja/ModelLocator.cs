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
        if (IsHubId(model))
        {
            // The first use of a Hub id downloads it; later uses (and HF_HUB_OFFLINE) read the cache.
            if (Hub.HubCache.FindSnapshot(model) is { } cached) return cached;
            using var client = new Hub.HubClient();
            return client.DownloadAsync(model, progress: downloadProgress).GetAwaiter().GetResult();
        }
        throw new DirectoryNotFoundException($"Model '{model}' is neither a directory nor a Hub id (OWNER/NAME).");
    }

    /// <summary>Whether <paramref name="text"/> has the form of a Hub repository id.</summary>
    public static bool IsHubId(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) && !text.Contains("..");
    }
}
