using System.Diagnostics;
using System.Security.Cryptography;

namespace Lahja.Cli.Tests;

/// <summary>
/// models/build-default.sh checks its data before training: without the NADI data or the Shami sentences, or with a
/// file that is not the expected release, it stops at once with a message naming the problem, and leaves models/default as it was; after a
/// build killed between its final renames it puts the previous model back.
/// </summary>
public sealed class BuildDefaultScriptTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("lahja-build-default-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public void Stops_before_training_when_the_data_folder_is_missing()
    {
        var before = BundledModelHash();
        var (code, error) = RunScript(Path.Combine(_data, "nowhere"));
        Assert.Equal(1, code);
        Assert.Contains("no NADI data at " + Path.Combine(_data, "nowhere", "nadi"), error);
        Assert.DoesNotContain("lahja:", error);
        Assert.Equal(before, BundledModelHash());
    }

    [Fact]
    public void Stops_before_training_when_a_data_file_is_missing()
    {
        Directory.CreateDirectory(Path.Combine(_data, "nadi", "train"));
        var (code, error) = RunScript(_data);
        Assert.Equal(1, code);
        Assert.Contains("missing data file " + Path.Combine(_data, "nadi", "train", "NADI2020-TWT.tsv"), error);
        Assert.DoesNotContain("lahja:", error);
    }

    [Fact]
    public void Stops_before_training_when_a_data_file_is_damaged()
    {
        var before = BundledModelHash();
        var file = Path.Combine(_data, "nadi", "train", "NADI2020-TWT.tsv");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        // A release file cut short: its header and one row.
        File.WriteAllText(file, "#1_tweet_ID\t#2_tweet_content\t#3_country_label\t#4_province_label\nTRAIN_0\tكيف الحال\tEgypt\teg_Cairo\n");
        var (code, error) = RunScript(_data);
        Assert.Equal(1, code);
        Assert.Contains(file + " is damaged or not the expected release", error);
        Assert.DoesNotContain("lahja:", error);
        Assert.Equal(before, BundledModelHash());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stops_before_training_when_the_Shami_sentences_are_missing_or_damaged(bool damaged)
    {
        // The real NADI files (they pass their checks) without the extra/ folder the recipe also trains on.
        var shared = Path.GetFullPath(Path.Combine(CliRunner.RepositoryRoot, "..", "shared", "data", "nadi"));
        Assert.SkipUnless(Directory.Exists(shared), "../shared/data is absent: this test needs the NADI files to pass their checks.");
        foreach (var name in new[] { "train/NADI2020-TWT.tsv", "train/NADI2021-TWT.tsv", "train/NADI2023_TWT.tsv", "dev/NADI2021-DA-dev.tsv" })
        {
            var link = Path.Combine(_data, "nadi", name);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Path.Combine(shared, name));
        }
        var lebanon = Path.Combine(_data, "extra", "shami", "Lebanon.txt");
        if (damaged)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(lebanon)!);
            File.WriteAllText(lebanon, "شو عم تعمل هلق\n");
        }
        var before = BundledModelHash();
        var (code, error) = RunScript(_data);
        Assert.Equal(1, code);
        Assert.Contains(damaged ? lebanon + " is damaged or not the expected release" : "missing data file " + lebanon, error);
        Assert.DoesNotContain("lahja:", error);
        Assert.Equal(before, BundledModelHash());
    }

    [Fact]
    public void A_build_killed_between_its_final_renames_gets_the_previous_model_back()
    {
        // A copy of the script in a scratch repository whose models/default was renamed to .old and never replaced.
        var scratch = Path.Combine(_data, "repository");
        var models = Directory.CreateDirectory(Path.Combine(scratch, "models")).FullName;
        File.Copy(Path.Combine(CliRunner.RepositoryRoot, "models", "build-default.sh"), Path.Combine(models, "build-default.sh"));
        Directory.CreateDirectory(Path.Combine(models, "default.old"));
        File.WriteAllText(Path.Combine(models, "default.old", "config.json"), "{}");
        var (code, error) = RunScript(Path.Combine(_data, "nowhere"), Path.Combine(models, "build-default.sh"));
        Assert.Equal(1, code);
        Assert.Contains("no NADI data", error);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(models, "default", "config.json")));
        Assert.False(Directory.Exists(Path.Combine(models, "default.old")));
    }

    private static (int Code, string Error) RunScript(string dataFolder, string? script = null)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script ?? Path.Combine(CliRunner.RepositoryRoot, "models", "build-default.sh"));
        info.ArgumentList.Add(dataFolder);
        info.Environment.Remove("LAHJA_SHARED_DATA");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = output.Result;
        return (process.ExitCode, error);
    }

    private static string BundledModelHash()
    {
        var directory = Path.Combine(CliRunner.RepositoryRoot, "models", "default");
        var files = Directory.GetFiles(directory).Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileName(f) + ":" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
        return string.Join("\n", files);
    }
}
