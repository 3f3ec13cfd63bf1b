using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Lahja.Cli.Tests;

/// <summary>
/// The CLI as a build without libtorch would be: its files linked into a temporary folder, every libtorch native library
/// left out and struck from <c>Lahja.Cli.deps.json</c> (as a publish without the libtorch-cpu package lists them), run
/// as its own process. Inference must work there; <c>--engine torch</c> and <c>train</c> must say what to install.
/// </summary>
public sealed class WithoutLibtorchTests : IDisposable
{
    private static string Model => Path.Combine(CliRunner.RepositoryRoot, "models", "default");

    private readonly string _app = Directory.CreateTempSubdirectory("lahja-no-libtorch-").FullName;

    public WithoutLibtorchTests()
    {
        var source = AppContext.BaseDirectory;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (IsLibtorch(relative) || relative.StartsWith("Lahja.Cli.Tests", StringComparison.Ordinal)) continue;
            var target = Path.Combine(_app, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (relative == "Lahja.Cli.deps.json") File.WriteAllText(target, WithoutLibtorch(File.ReadAllText(file)));
            // The host resolves a linked entry assembly to its real folder (where libtorch is): copy that one file.
            else if (relative.StartsWith("Lahja.Cli.", StringComparison.Ordinal)) File.Copy(file, target);
            else File.CreateSymbolicLink(target, file);
        }
    }

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void Predict_runs_on_the_bundled_model_and_the_torch_engine_says_what_to_install()
    {
        string[] predict = ["predict", "-m", Model, "--format", "jsonl", "--threads", "1", "شلونك حبيبي", "إزيك"];
        var (code, output, error) = RunApp(predict);
        Assert.True(code == 0, error);
        var (_, inProcess, _) = CliRunner.Run("", predict);
        Assert.Equal(inProcess, output);

        // The same folder cannot run the torch engine: libtorch is really absent (nothing found it elsewhere).
        (code, output, error) = RunApp([.. predict, "--engine", "torch"]);
        Assert.Equal(1, code);
        Assert.Contains("libtorch-cpu-linux-x64", error);
        Assert.Contains("--engine onnx", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal("", output);
    }

    [Fact]
    public void Train_says_what_to_install_before_reading_its_data()
    {
        var (code, _, error) = RunApp(["train", "--train", Path.Combine(_app, "absent.tsv"), "--output", Path.Combine(_app, "out")]);
        Assert.Equal(1, code);
        Assert.Contains("libtorch-cpu-linux-x64", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Path.Combine(_app, "out")));
    }

    private static bool IsLibtorch(string relative)
    {
        if (!relative.StartsWith("runtimes", StringComparison.Ordinal)) return false;
        var name = Path.GetFileName(relative).ToLowerInvariant();
        return name.Contains("torch", StringComparison.Ordinal) || name.StartsWith("libc10", StringComparison.Ordinal);
    }

    private static string WithoutLibtorch(string depsJson)
    {
        var root = JsonNode.Parse(depsJson)!.AsObject();
        foreach (var (_, target) in root["targets"]!.AsObject())
            foreach (var (_, library) in target!.AsObject())
                if (library?["native"] is JsonObject native)
                    foreach (var path in native.Select(p => p.Key).Where(IsLibtorch).ToList())
                        native.Remove(path);
        return root.ToJsonString();
    }

    private (int Code, string Out, string Error) RunApp(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(_app, "Lahja.Cli.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("LAHJA_ENGINE");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
