using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Lahja.Testing;

/// <summary>
/// Locates the repository, the shared data and the reference implementations in tools/reference, and runs them.
/// </summary>
public static class ReferenceTools
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string FixturesDirectory => Path.Combine(RepositoryRoot, "tests", "Lahja.Tests", "Fixtures");

    public static string ReferenceDirectory => Path.Combine(RepositoryRoot, "tools", "reference");

    /// <summary>../shared/data beside the repository (LAHJA_SHARED_DATA overrides), or null when absent.</summary>
    public static string? SharedData
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("LAHJA_SHARED_DATA")
                       ?? Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>Debian's Python, the interpreter the reference scripts are written for.</summary>
    public static string? Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : null;

    /// <summary>Node, when transformers.js is installed in tools/reference (npm ci).</summary>
    public static string? Node
    {
        get
        {
            if (!Directory.Exists(Path.Combine(ReferenceDirectory, "node_modules", "@huggingface", "transformers"))) return null;
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, "node"))) return Path.Combine(dir, "node");
            return null;
        }
    }

    public static string Fixture(string name) => Path.Combine(FixturesDirectory, name);

    public static List<string> ReadJsonLines(string path) =>
        File.ReadLines(path, Encoding.UTF8).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<string>(l)!).ToList();

    public static List<int[]> ReadIdLines(string path) =>
        File.ReadLines(path, Encoding.UTF8).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<int[]>(l)!).ToList();

    public static string WriteJsonLines(IEnumerable<string> texts)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lahja-test-{Guid.NewGuid():N}.jsonl");
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var text in texts)
            writer.Write(JsonSerializer.Serialize(text) + "\n");
        return path;
    }

    /// <summary>Runs a reference program and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ReferenceDirectory,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    public static List<string> ParseJsonStrings(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<string>(l)!).ToList();

    public static List<int[]> ParseIdArrays(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<int[]>(l)!).ToList();

    /// <summary>The text column of every NADI TSV under the shared data (tweets and sentences), in file order.</summary>
    public static List<string> NadiTexts(string sharedData)
    {
        var texts = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(sharedData, "nadi"), "*.tsv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(file, Encoding.UTF8);
            var header = reader.ReadLine()!.Split('\t');
            var column = Array.FindIndex(header, h => h is "#2_tweet_content" or "#2_content" or "#2_tweet" or "sentence");
            if (column < 0) throw new InvalidDataException($"{file}: no text column in header");
            while (reader.ReadLine() is { } line)
            {
                var fields = line.Split('\t');
                if (fields.Length > column) texts.Add(fields[column]);
            }
        }
        return texts;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lahja.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Lahja.slnx not found above the test binaries.");
    }
}
