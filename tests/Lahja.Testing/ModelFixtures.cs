using System.Text.Json;

namespace Lahja.Testing;

/// <summary>The generated parity fixtures of this project (tools/reference/make_model_fixtures.sh).</summary>
public static class ModelFixtures
{
    public static string Directory => Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures");

    public static string Checkpoint(string name) => Path.Combine(Directory, "checkpoints", name);

    public static List<string> Texts => ReferenceTools.ReadJsonLines(Path.Combine(Directory, "parity-texts.jsonl"));

    public static List<float[]> Probabilities(string checkpoint) =>
        File.ReadLines(Path.Combine(Directory, $"parity-probabilities.{checkpoint}.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<float[]>(l)!).ToList();

    /// <summary>A writable copy of a fixture checkpoint, deleted on dispose.</summary>
    public sealed class Copy : IDisposable
    {
        public Copy(string checkpoint)
        {
            Path = System.IO.Directory.CreateTempSubdirectory("lahja-ckpt-").FullName;
            foreach (var file in System.IO.Directory.GetFiles(Checkpoint(checkpoint)))
                System.IO.File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => System.IO.Directory.Delete(Path, true);
    }
}
