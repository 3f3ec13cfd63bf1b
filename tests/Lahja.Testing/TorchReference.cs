using System.Text.Json;

namespace Lahja.Testing;

/// <summary>Runs tools/reference/bert_reference.py (Debian's python3-torch).</summary>
public static class TorchReference
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
