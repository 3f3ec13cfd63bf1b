using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lahja.Packaging.Tests;

/// <summary>
/// The lahja tool installed from the packages (<see cref="PackedLahja"/>), run as a user would: from a folder outside
/// the repository, with a fresh HOME, offline, on the model it carries.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class ToolTests(PackedLahja packed)
{
    private const string LebaneseText = "شو عم تعمل هلق";

    private void AssertInstalled()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        Assert.True(packed.Install is { ExitCode: 0 }, packed.Install?.ToString());
        Assert.True(File.Exists(packed.Lahja), $"{packed.Lahja} was not installed: {packed.Install}");
    }

    [Fact]
    public void Predict_runs_the_bundled_model_offline_from_any_folder()
    {
        AssertInstalled();
        var result = packed.Run("predict", LebaneseText, "--format", "jsonl");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(LebaneseText, json.RootElement.GetProperty("text").GetString());
        Assert.Equal("Lebanon", json.RootElement.GetProperty("top")[0].GetProperty("dialect").GetString());

        // The table a person sees, Arabic and all, with Lebanon first.
        result = packed.Run("predict", LebaneseText);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(LebaneseText, result.Out);
        Assert.Matches(@"Lebanon \d\.\d\d", result.Out);
    }

    /// <summary>.NET 10's <c>dnx Lahja.Tool …</c> (<c>dotnet tool execute</c>) runs it without installing it.</summary>
    [Fact]
    public void Dnx_runs_the_tool_without_installing_it()
    {
        AssertInstalled();
        var result = Processes.Run("dotnet", ["tool", "execute", "--version", packed.Version, "--configfile", packed.NuGetConfig, "Lahja.Tool", "--", "predict", LebaneseText, "--format", "jsonl"],
            packed.Work, packed.UserEnvironment(Path.Combine(packed.Work, "dnx-packages")));
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("Lebanon", json.RootElement.GetProperty("top")[0].GetProperty("dialect").GetString());
    }

    [Fact]
    public void Version_names_the_package_version_and_the_commit()
    {
        AssertInstalled();
        var result = packed.Run("--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        var commit = Processes.Run("git", ["rev-parse", "HEAD"], PackedLahja.RepositoryRoot);
        Assert.Equal(commit.ExitCode == 0 ? $"{packed.Version}+{commit.Out.Trim()}" : packed.Version, result.Out.Trim());
    }

    [Fact]
    public void Evaluate_scores_a_labelled_file()
    {
        AssertInstalled();
        var data = Path.Combine(packed.Work, "labelled.tsv");
        File.WriteAllText(data, "#1_id\t#2_content\t#3_country_label\n1\tشو عم تعمل هلق\tLebanon\n2\tازيك عامل ايه النهارده\tEgypt\n3\tشلونك شخبارك\tIraq\n");
        var result = packed.Run("evaluate", "--data", data);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("top-1 accuracy", result.Out);
    }

    [Fact]
    public void Evaluate_writes_the_whole_report_on_nadi_2024_dev2()
    {
        var data = Path.GetFullPath(Path.Combine(PackedLahja.RepositoryRoot, "..", "shared", "data", "nadi", "mladi-dev", "NADI2024_subtask1_dev2.tsv"));
        Assert.SkipUnless(File.Exists(data), "../shared/data is absent: this test evaluates on the NADI 2024 dev2 file.");
        AssertInstalled();
        var report = Path.Combine(packed.Work, "dev2-report");
        var result = packed.Run("evaluate", "--data", data, "--report", report);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("OVERALL SCORES:\nMACRO AVERAGE PRECISION SCORE: ", result.Out);
        // The charts need SkiaSharp's native library for this platform: it is in the package.
        foreach (var file in new[] { "report.json", "report.md", "predictions.nadi.txt", "f1_per_dialect.png" })
            Assert.True(File.Exists(Path.Combine(report, file)), file);
        Assert.Equal(120, File.ReadAllLines(Path.Combine(report, "predictions.nadi.txt")).Length);
    }

    [Fact]
    public async Task Serve_answers_an_identify_request()
    {
        AssertInstalled();
        var token = TestContext.Current.CancellationToken;
        using var process = Process.Start(Processes.StartInfo(packed.Lahja, ["serve", "--urls", "http://127.0.0.1:0"], packed.Work, packed.UserEnvironment()))!;
        try
        {
            var seen = new List<string>();
            string? announcement = null;
            while (announcement is null && await process.StandardError.ReadLineAsync(token) is { } line)
            {
                seen.Add(line);
                if (line.Contains("serving on")) announcement = line;
            }
            Assert.True(announcement is not null, string.Join("\n", seen));
            using var client = new HttpClient { BaseAddress = new Uri(Regex.Match(announcement, @"http://127\.0\.0\.1:\d+").Value) };
            using var response = await client.PostAsJsonAsync("/v1/identify", new { text = LebaneseText }, token);
            var body = await response.Content.ReadAsStringAsync(token);
            Assert.True(response.IsSuccessStatusCode, body);
            using var json = JsonDocument.Parse(body);
            Assert.Equal("Lebanon", json.RootElement.GetProperty("results")[0].GetProperty("top")[0].GetProperty("dialect").GetString());
            // The web page's files travel in the package too.
            using var page = await client.GetAsync("/", token);
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(token);
        }
    }

    /// <summary>The tool has no torch engine: training and <c>--engine torch</c> say how to get one, and nothing is written.</summary>
    [Fact]
    public void Train_and_the_torch_engine_say_what_to_install()
    {
        AssertInstalled();
        var output = Path.Combine(packed.Work, "trained");
        foreach (var args in new[] { new[] { "train", "--train", Path.Combine(packed.Work, "absent.tsv"), "--output", output }, ["predict", "--engine", "torch", LebaneseText] })
        {
            var result = packed.Run(args);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("has no torch engine", result.Error);
            Assert.Contains("./lahja", result.Error);
            Assert.Contains("Lahja.Torch", result.Error);
            Assert.DoesNotContain("   at ", result.Error);
            Assert.Equal("", result.Out);
        }
        Assert.False(Directory.Exists(output));
    }

    /// <summary>
    /// On a platform without a package of its own (linux-musl-x64, osx-x64, …) <c>dotnet tool install</c> takes the
    /// portable package, and runs its command as <c>dotnet Lahja.Tool.dll</c>. The SDK cannot be made to choose it on
    /// this machine (<c>--arch</c> accepts only Windows and macOS RIDs here), so its files are run so from the extracted
    /// package: it has no ONNX Runtime for this platform, so a command that runs a model says so first, before reading
    /// its input, with the platforms that have one and what to do; other commands run. Doing what it says (ONNX
    /// Runtime's library for this platform on the loader's path) makes it predict.
    /// </summary>
    [Fact]
    public void The_portable_package_says_which_platforms_have_onnx_runtime_and_what_to_do()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        var package = packed.PackagePath(PackedLahja.PortablePackage);
        Assert.True(File.Exists(package), $"{Path.GetFileName(package)} was not packed.");
        var extracted = Path.Combine(packed.Work, "portable-package");
        ZipFile.ExtractToDirectory(package, extracted, overwriteFiles: true);
        var tool = Path.Combine(extracted, "tools", "net10.0", "any", "Lahja.Tool.dll");
        ProcessResult Run(IReadOnlyDictionary<string, string?> environment, params string[] args) => Processes.Run("dotnet", [tool, .. args], packed.Work, environment);

        var absent = Path.Combine(packed.Work, "absent.tsv");
        foreach (var args in new[] { new[] { "predict", LebaneseText }, ["evaluate", "--data", absent], ["predict", "--input", absent] })
        {
            var result = Run(packed.UserEnvironment(), args);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains($"This platform ({RuntimeInformation.RuntimeIdentifier}) has no native ONNX Runtime in Lahja.Tool", result.Error);
            foreach (var platform in PackedLahja.ToolPlatforms.Keys.Concat(PackedLahja.PortablePlatforms.Keys)) Assert.Contains(platform, result.Error);
            Assert.Contains("Lahja.Onnx", result.Error);
            Assert.Contains("LD_LIBRARY_PATH", result.Error);
            Assert.DoesNotContain("   at ", result.Error);
            Assert.DoesNotContain("internal error", result.Error);
            Assert.Equal("", result.Out);
        }
        var version = Run(packed.UserEnvironment(), "--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith(packed.Version, version.Out);

        // What the message says to do, done with ONNX Runtime's own build for this machine (restored by the repository's builds).
        Assert.SkipUnless(RuntimeInformation.RuntimeIdentifier == "linux-x64", "ONNX Runtime's library is put on LD_LIBRARY_PATH on Linux x64 only.");
        var native = Path.Combine(packed.RestoredPackages, "microsoft.ml.onnxruntime", PackedLahja.OnnxRuntimeVersion, "runtimes", "linux-x64", "native");
        Assert.True(File.Exists(Path.Combine(native, "libonnxruntime.so")), $"{native} has no libonnxruntime.so: the repository's restore puts it there.");
        var environment = packed.UserEnvironment();
        environment["LD_LIBRARY_PATH"] = native;
        var predicted = Run(environment, "predict", LebaneseText, "--format", "jsonl");
        Assert.True(predicted.ExitCode == 0, predicted.ToString());
        using var json = JsonDocument.Parse(predicted.Out);
        Assert.Equal("Lebanon", json.RootElement.GetProperty("top")[0].GetProperty("dialect").GetString());
    }

    /// <summary>A damaged (truncated weights) or missing bundled model is a clear error, never a crash.</summary>
    [Fact]
    public void A_damaged_or_missing_bundled_model_is_a_clear_error()
    {
        AssertInstalled();
        var toolPath = Path.Combine(packed.Work, "damaged-tool");
        var install = packed.InstallTool(toolPath);
        Assert.True(install.ExitCode == 0, install.ToString());
        var weights = Directory.GetFiles(Path.Combine(toolPath, ".store"), "model.safetensors", SearchOption.AllDirectories).Single();
        using (var file = new FileStream(weights, FileMode.Open)) file.SetLength(file.Length / 2);
        var result = Processes.Run(Path.Combine(toolPath, OperatingSystem.IsWindows() ? "lahja.exe" : "lahja"), ["predict", LebaneseText], packed.Work, packed.UserEnvironment());
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("model.safetensors", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("internal error", result.Error);
        Assert.Equal("", result.Out);

        // A missing one: the message says how to name a model instead.
        Directory.Delete(Path.GetDirectoryName(weights)!, recursive: true);
        result = Processes.Run(Path.Combine(toolPath, OperatingSystem.IsWindows() ? "lahja.exe" : "lahja"), ["predict", LebaneseText], packed.Work, packed.UserEnvironment());
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("no bundled model", result.Error);
        Assert.Contains("--model", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal("", result.Out);
    }
}
