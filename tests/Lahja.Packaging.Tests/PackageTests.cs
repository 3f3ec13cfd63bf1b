using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Lahja.Packaging.Tests;

/// <summary>What <c>dotnet pack Lahja.slnx</c> writes: every package, with its metadata, and nothing else.</summary>
[Collection(PackagingCollection.Name)]
public sealed class PackageTests(PackedLahja packed)
{
    [Fact]
    public void Pack_writes_every_package_and_nothing_else()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        var v = packed.Version;
        var expected = PackedLahja.Libraries.SelectMany(id => new[] { $"{id}.{v}.nupkg", $"{id}.{v}.snupkg" })
            .Append($"Lahja.Tool.{v}.nupkg")
            .Append($"{PackedLahja.PortablePackage}.{v}.nupkg")
            .Concat(PackedLahja.ToolPlatforms.Keys.Select(rid => $"Lahja.Tool.{rid}.{v}.nupkg"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(packed.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_package_has_one_semver_version_licence_readme_description_tags_and_repository_commit()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", packed.Version);
        var commit = Processes.Run("git", ["rev-parse", "HEAD"], PackedLahja.RepositoryRoot);
        foreach (var package in Directory.GetFiles(packed.Feed, "*.nupkg"))
        {
            var nuspec = PackedLahja.Nuspec(package);
            var metadata = nuspec.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            var name = Path.GetFileName(package);
            Assert.Equal(packed.Version, Field("version"));
            Assert.False(string.IsNullOrWhiteSpace(Field("description")), name);
            Assert.Contains("arabic", Field("tags") ?? "");
            var licence = metadata.Elements().Single(e => e.Name.LocalName == "license");
            Assert.Equal("expression", licence.Attribute("type")?.Value);
            Assert.StartsWith("MIT", licence.Value);
            Assert.Equal("README.md", Field("readme"));
            Assert.Contains("README.md", PackedLahja.Entries(package));
            if (commit.ExitCode == 0)
            {
                var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
                Assert.Equal(commit.Out.Trim(), repository.Attribute("commit")?.Value);
            }
        }
        // The tool carries the bundled model, whose weights were learnt from NADI's tweets: their licence is named too.
        Assert.Contains("CC-BY-NC-ND-4.0", PackedLahja.Nuspec(packed.PackagePath("Lahja.Tool.linux-x64")).Descendants().Single(e => e.Name.LocalName == "license").Value);
    }

    [Fact]
    public void Libraries_carry_xml_docs_and_symbols_and_depend_on_each_other_at_the_same_version()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        foreach (var id in PackedLahja.Libraries)
        {
            var entries = PackedLahja.Entries(packed.PackagePath(id));
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
            Assert.Contains($"lib/net10.0/{id}.pdb", PackedLahja.Entries(Path.ChangeExtension(packed.PackagePath(id), ".snupkg")));
            var dependencies = PackedLahja.Nuspec(packed.PackagePath(id)).Descendants().Where(e => e.Name.LocalName == "dependency")
                .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
            if (id != "Lahja") Assert.Equal(packed.Version, dependencies["Lahja"]);
            // Only Lahja.Torch brings TorchSharp: inference through Lahja.Onnx needs no libtorch.
            Assert.Equal(id == "Lahja.Torch", dependencies.Keys.Any(d => d.StartsWith("TorchSharp", StringComparison.Ordinal) || d.StartsWith("libtorch", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void The_tool_package_points_at_one_package_per_platform()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        var pointer = packed.PackagePath("Lahja.Tool");
        Assert.DoesNotContain(PackedLahja.Entries(pointer), e => e.EndsWith(".dll", StringComparison.Ordinal));
        using var zip = ZipFile.OpenRead(pointer);
        using var settings = zip.Entries.Single(e => e.Name == "DotnetToolSettings.xml").Open();
        var rids = XElement.Load(settings).Descendants().Where(e => e.Name.LocalName == "RuntimeIdentifierPackage")
            .ToDictionary(e => e.Attribute("RuntimeIdentifier")!.Value, e => e.Attribute("Id")!.Value);
        // One per platform, and the portable one (RID any) for every other platform, so that installing never fails.
        Assert.Equal(PackedLahja.ToolPlatforms.Keys.Append("any").Order(), rids.Keys.Order());
        foreach (var (rid, id) in rids) Assert.Equal($"Lahja.Tool.{rid}", id);
    }

    /// <summary>
    /// The portable package, for the platforms without a package of their own: at most 40 MB; run by <c>dotnet</c>
    /// (framework-dependent); the command and the bundled model; no libtorch; of native code, only win-arm64's (ONNX
    /// Runtime's among it), which its deps.json gives that platform. Elsewhere it has no ONNX Runtime
    /// (<see cref="ToolTests.The_portable_package_says_which_platforms_have_onnx_runtime_and_what_to_do"/>).
    /// </summary>
    [Fact]
    public void The_portable_package_is_run_by_dotnet_and_carries_only_win_arm64_natives()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        var package = packed.PackagePath(PackedLahja.PortablePackage);
        Assert.True(File.Exists(package), $"{Path.GetFileName(package)} was not packed.");
        var size = new FileInfo(package).Length;
        Assert.True(size <= 40L * 1024 * 1024, $"{Path.GetFileName(package)} is {size:N0} bytes, over 40 MB.");
        const string folder = "tools/net10.0/any/";
        var entries = PackedLahja.Entries(package);
        foreach (var file in new[] { "Lahja.Tool.dll", "Lahja.Tool.runtimeconfig.json", "Lahja.Cli.dll", "Lahja.Onnx.dll", "Microsoft.ML.OnnxRuntime.dll",
                     "models/default/config.json", "models/default/model.safetensors", "models/default/vocab.txt", "models/default/lahja.json" })
            Assert.Contains(folder + file, entries);
        Assert.DoesNotContain(entries, e => Regex.IsMatch(Path.GetFileName(e), @"^(lib)?(torch|c10|LibTorchSharp|gomp)", RegexOptions.IgnoreCase));

        var natives = PackedLahja.NativeEntries(package);
        foreach (var (entry, platforms) in natives)
            Assert.True(platforms.IsSubsetOf(PackedLahja.PortablePlatforms.Keys), $"{entry} in {Path.GetFileName(package)} is native code for {string.Join(", ", platforms)}.");
        using var zip = ZipFile.OpenRead(package);
        using (var settings = zip.GetEntry(folder + "DotnetToolSettings.xml")!.Open())
        {
            var command = XElement.Load(settings).Descendants().Single(e => e.Name.LocalName == "Command");
            Assert.Equal("dotnet", command.Attribute("Runner")?.Value);
            Assert.Equal("Lahja.Tool.dll", command.Attribute("EntryPoint")?.Value);
        }
        using var deps = zip.GetEntry(folder + "Lahja.Tool.deps.json")!.Open();
        using var json = System.Text.Json.JsonDocument.Parse(deps);
        var runtimeTargets = json.RootElement.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject()
            .SelectMany(library => library.Value.TryGetProperty("runtimeTargets", out var targets) ? targets.EnumerateObject().ToArray() : [])
            .ToDictionary(target => target.Name, target => target.Value.GetProperty("rid").GetString());
        foreach (var (rid, library) in PackedLahja.PortablePlatforms)
        {
            var path = $"runtimes/{rid}/native/{library}";
            Assert.Equal(new[] { rid }, natives[folder + path].ToArray());
            Assert.Equal(rid, runtimeTargets[path]);
        }
    }

    /// <summary>
    /// Each platform's tool package: at most 40 MB; the command, the bundled model and ONNX Runtime for that platform;
    /// native code for that platform only (ONNX Runtime's build props would add its Windows DLL to every x64 output);
    /// no libtorch.
    /// </summary>
    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    [InlineData("win-x64")]
    [InlineData("osx-arm64")]
    public void A_platform_package_holds_its_own_native_code_the_model_and_no_libtorch(string rid)
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        var package = packed.PackagePath($"Lahja.Tool.{rid}");
        var size = new FileInfo(package).Length;
        Assert.True(size <= 40L * 1024 * 1024, $"{Path.GetFileName(package)} is {size:N0} bytes, over 40 MB.");
        var folder = $"tools/net10.0/{rid}/";
        var entries = PackedLahja.Entries(package);
        foreach (var file in new[] { "Lahja.Tool.dll", "Lahja.Cli.dll", "Lahja.Onnx.dll", "DotnetToolSettings.xml", PackedLahja.ToolPlatforms[rid],
                     "models/default/config.json", "models/default/model.safetensors", "models/default/vocab.txt", "models/default/lahja.json" })
            Assert.Contains(folder + file, entries);
        Assert.DoesNotContain(entries, e => Regex.IsMatch(Path.GetFileName(e), @"^(lib)?(torch|c10|LibTorchSharp|gomp)", RegexOptions.IgnoreCase));

        var natives = PackedLahja.NativeEntries(package);
        foreach (var (entry, platforms) in natives)
            Assert.True(platforms.Contains(rid), $"{entry} in {Path.GetFileName(package)} is native code for {string.Join(", ", platforms)}, not {rid}.");
        Assert.Contains(folder + PackedLahja.ToolPlatforms[rid], natives.Keys);
    }
}
