namespace Lahja.Checkpoints;

/// <summary>Finds the files of a Hugging Face checkpoint directory.</summary>
public static class CheckpointFiles
{
    /// <summary>config.json</summary>
    public const string Config = "config.json";
    /// <summary>Single-file safetensors weights.</summary>
    public const string SafeTensors = "model.safetensors";
    /// <summary>Index of sharded safetensors weights.</summary>
    public const string SafeTensorsIndex = "model.safetensors.index.json";
    /// <summary>PyTorch pickle weights.</summary>
    public const string PyTorchBin = "pytorch_model.bin";

    /// <summary>Whether <paramref name="directory"/> has weights in a form Lahja reads (safetensors, sharded, or <c>pytorch_model.bin</c>).</summary>
    public static bool HasWeights(string directory) =>
        new[] { SafeTensors, SafeTensorsIndex, PyTorchBin }.Any(f => File.Exists(Path.Combine(directory, f)));

    /// <summary>
    /// Opens the weights of <paramref name="directory"/>: <c>model.safetensors</c>, else the sharded index, else
    /// <c>pytorch_model.bin</c> (read without PyTorch, <see cref="PyTorchZipFile"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has no weights at all.</exception>
    /// <exception cref="InvalidDataException">The weights file is corrupt, truncated or hostile.</exception>
    public static ITensorSource OpenWeights(string directory)
    {
        var single = Path.Combine(directory, SafeTensors);
        if (File.Exists(single)) return SafeTensorsFile.Open(single);
        var index = Path.Combine(directory, SafeTensorsIndex);
        if (File.Exists(index)) return ShardedSafeTensors.Open(index);
        var pickled = Path.Combine(directory, PyTorchBin);
        if (File.Exists(pickled)) return PyTorchZipFile.Open(pickled);
        throw new FileNotFoundException($"'{directory}' has no weights: expected {SafeTensors}, {SafeTensorsIndex} or {PyTorchBin}.");
    }

    /// <summary>
    /// Whether <paramref name="name"/> is a plain file name relative to a checkpoint directory, as a repository
    /// listing or an index's <c>weight_map</c> may name one: non-empty, '/'-separated, without <c>..</c>, <c>.</c> or
    /// empty segments, not rooted (no leading '/', no drive), without backslashes, NUL or other control characters.
    /// Joined to a directory, such a name stays inside it.
    /// </summary>
    public static bool IsSafeRelativeName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 1024
        && !name.Any(c => char.IsControl(c) || c is '\\')
        && !(name.Length >= 2 && name[1] == ':')
        && name.Split('/').All(segment => segment.Length > 0 && segment is not ("." or ".."));

    /// <summary>
    /// Joins <paramref name="name"/> to <paramref name="directory"/> after checking it with
    /// <see cref="IsSafeRelativeName"/>, and checks that the full path lies inside the directory.
    /// </summary>
    /// <exception cref="InvalidDataException">The name is unsafe; the message names <paramref name="source"/> and the value.</exception>
    public static string JoinInside(string directory, string name, string source)
    {
        var root = Path.GetFullPath(directory);
        var path = IsSafeRelativeName(name) ? Path.GetFullPath(Path.Combine(root, name)) : null;
        if (path is null || !IsInside(root, path))
            throw new InvalidDataException($"{source}: file name {Hub.HubText.Show(name)} is not a relative path inside the checkpoint directory.");
        return path;
    }

    /// <summary>Whether the full path <paramref name="path"/> lies strictly inside the full path <paramref name="root"/>.</summary>
    public static bool IsInside(string root, string path)
    {
        var prefix = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length;
    }

    /// <summary>
    /// The fingerprint of a checkpoint's weights, <c>sha256:HEX</c> of its first weights file among
    /// <c>model.safetensors</c>, <c>model.safetensors.index.json</c> and <c>pytorch_model.bin</c> (as the server's
    /// <c>/v1/model</c> and evaluation reports show it); null when the directory has none.
    /// </summary>
    public static string? WeightsSha256(string directory)
    {
        var weights = new[] { SafeTensors, SafeTensorsIndex, PyTorchBin }.Select(f => Path.Combine(directory, f)).FirstOrDefault(File.Exists);
        if (weights is null) return null;
        using var stream = File.OpenRead(weights);
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Reads config.json of <paramref name="directory"/>, with a clear error when it is missing.</summary>
    public static BertConfig LoadConfig(string directory)
    {
        var path = Path.Combine(directory, Config);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{directory}' has no {Config}: it is not a Hugging Face checkpoint directory.", path);
        return BertConfig.Load(path);
    }
}
