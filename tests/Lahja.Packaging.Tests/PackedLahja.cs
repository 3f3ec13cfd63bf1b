using System.IO.Compression;
using System.Xml.Linq;

namespace Lahja.Packaging.Tests;

/// <summary>
/// Once per test run: <c>dotnet pack Lahja.slnx -c Release</c> into a temporary feed, and the lahja tool installed from
/// it into a temporary tool path, as a user with a fresh HOME and only that feed would install it (no network: the
/// NuGet configuration names the feed alone; the tool packages carry all their dependencies).
/// </summary>
public sealed class PackedLahja : IDisposable
{
    /// <summary>The platforms the tool is packed for: RID and its native ONNX Runtime library.</summary>
    public static readonly IReadOnlyDictionary<string, string> ToolPlatforms = new Dictionary<string, string>
    {
        ["linux-x64"] = "libonnxruntime.so",
        ["linux-arm64"] = "libonnxruntime.so",
        ["win-x64"] = "onnxruntime.dll",
        ["osx-arm64"] = "libonnxruntime.dylib",
    };

    /// <summary>
    /// The portable tool package (Lahja.Tool.any), which <c>dotnet tool install</c> takes on every other platform, and
    /// the natives it carries: win-arm64's ONNX Runtime (the only other platform ONNX Runtime's package has).
    /// </summary>
    public const string PortablePackage = "Lahja.Tool.any";

    public static readonly IReadOnlyDictionary<string, string> PortablePlatforms = new Dictionary<string, string> { ["win-arm64"] = "onnxruntime.dll" };

    /// <summary>The library packages the solution packs, each with a symbol package.</summary>
    public static readonly string[] Libraries = ["Lahja", "Lahja.Onnx", "Lahja.Torch", "Lahja.Distillation", "Lahja.Server", "Lahja.Jobs"];

    private readonly string _root = Directory.CreateTempSubdirectory("lahja-packaging-").FullName;

    public PackedLahja()
    {
        Feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
        Home = Directory.CreateDirectory(Path.Combine(_root, "home")).FullName;
        ToolPath = Path.Combine(_root, "tools");
        Work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        // Where the repository's own builds keep their packages: the sample's dependencies (ONNX Runtime, …) are read
        // from there, never downloaded.
        RestoredPackages = Processes.Run("dotnet", ["nuget", "locals", "global-packages", "--list"], RepositoryRoot).Out
            .Split(':', 2)[1].Trim().TrimEnd('/', '\\');

        Pack = Processes.Run("dotnet", ["pack", Path.Combine(RepositoryRoot, "Lahja.slnx"), "-c", "Release", "-o", Feed, "-nodeReuse:false"], RepositoryRoot);
        if (Pack.ExitCode != 0) return;
        // The version is read from the core package's name (Lahja.VERSION.nupkg), the one place the build took it from.
        var core = Directory.GetFiles(Feed, "Lahja.*.nupkg").Select(Path.GetFileName).Single(n => char.IsAsciiDigit(n!["Lahja.".Length]))!;
        Version = core["Lahja.".Length..^".nupkg".Length];
        WriteNuGetConfig(NuGetConfig, fallback: false);
        Install = InstallTool(ToolPath);
    }

    /// <summary>The repository: the folder above the test binaries that holds Lahja.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The version of Microsoft.ML.OnnxRuntime that Lahja.Onnx uses (from the central versions), so among those the repository's builds restored.</summary>
    public static string OnnxRuntimeVersion => XElement.Load(Path.Combine(RepositoryRoot, "Directory.Packages.props"))
        .Descendants("PackageVersion").Single(e => e.Attribute("Include")?.Value == "Microsoft.ML.OnnxRuntime").Attribute("Version")!.Value;

    public string Feed { get; }
    public string Home { get; }
    public string ToolPath { get; }
    /// <summary>An empty folder outside the repository, the current directory of the tool's runs.</summary>
    public string Work { get; }
    public string RestoredPackages { get; }
    public ProcessResult Pack { get; }
    public ProcessResult? Install { get; }
    /// <summary>The version every package was packed with.</summary>
    public string Version { get; } = "";

    /// <summary>A NuGet configuration whose only source is the feed.</summary>
    public string NuGetConfig => Path.Combine(_root, "nuget.config");

    /// <summary>The installed command.</summary>
    public string Lahja => Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "lahja.exe" : "lahja");

    /// <summary>The environment of a user who has nothing but the feed: a fresh HOME and NuGet folders.</summary>
    public Dictionary<string, string?> UserEnvironment(string? packages = null) => new()
    {
        ["HOME"] = Home,
        ["USERPROFILE"] = Home,
        ["DOTNET_CLI_HOME"] = Home,
        ["NUGET_PACKAGES"] = packages ?? Path.Combine(_root, "nuget-packages"),
        ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(_root, "nuget-http-cache"),
        ["HF_HOME"] = Path.Combine(Home, ".cache", "huggingface"),
        ["HF_HUB_OFFLINE"] = "1",
    };

    /// <summary>Installs Lahja.Tool from the feed into <paramref name="toolPath"/>.</summary>
    public ProcessResult InstallTool(string toolPath) => Processes.Run("dotnet",
        ["tool", "install", "Lahja.Tool", "--version", Version, "--tool-path", toolPath, "--configfile", NuGetConfig],
        Work, UserEnvironment());

    /// <summary>
    /// A NuGet configuration with the feed as its only source; with <paramref name="fallback"/>, packages already
    /// restored by the repository's builds are taken from their folder rather than downloaded.
    /// </summary>
    public void WriteNuGetConfig(string path, bool fallback)
    {
        var configuration = new XElement("configuration",
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "lahja-feed"), new XAttribute("value", Feed))));
        if (fallback)
            configuration.Add(new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "restored"), new XAttribute("value", RestoredPackages))));
        new XDocument(configuration).Save(path);
    }

    /// <summary>Runs the installed lahja in <see cref="Work"/> as the user.</summary>
    public ProcessResult Run(params string[] args) => Processes.Run(Lahja, args, Work, UserEnvironment());

    /// <summary>The file names in a package.</summary>
    public static IReadOnlyList<string> Entries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>The entries of a package that are native code, and the platforms each is for (<see cref="NativeFile"/>).</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> NativeEntries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var natives = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var entry in zip.Entries.Where(e => e.Length > 0))
        {
            using var stream = entry.Open();
            var content = new MemoryStream();
            stream.CopyTo(content);
            if (NativeFile.Platforms(content.ToArray()) is { } platforms) natives[entry.FullName] = platforms;
        }
        return natives;
    }

    /// <summary>A package's nuspec.</summary>
    public static XElement Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using var stream = entry.Open();
        return XElement.Load(stream);
    }

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lahja.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Lahja.slnx not found above the test binaries.");
    }
}
