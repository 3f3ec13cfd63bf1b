using System.Text.Json;
using Lahja.Tests;

namespace Lahja.Torch.Tests;

/// <summary>Runs tools/reference/bert_reference.py (Debian's python3-torch).</summary>
internal static class TorchReference
{
    public static bool Available { get; } = ReferenceTools.Python is { } python && TryImportTorch(python);

    private static bool TryImportTorch(string python)
    {
        try
        {
            ReferenceTools.Run(python, "-c", "import torch");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static void MakeCheckpoint(string directory, params string[] arguments) =>
        ReferenceTools.Run(ReferenceTools.Python!, ["bert_reference.py", "make-checkpoint", "--out", directory,
            "--vocab", ReferenceTools.Fixture("vocab-plain.txt"), .. arguments]);

    public static List<float[]> Predict(string checkpoint, string idsPath, bool strict = false) =>
        ReferenceTools.Run(ReferenceTools.Python!, ["bert_reference.py", "predict", "--model", checkpoint, .. (strict ? new[] { "--strict" } : []), idsPath])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<float[]>(l)!).ToList();
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lahja-test-").FullName;

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, true);
}
