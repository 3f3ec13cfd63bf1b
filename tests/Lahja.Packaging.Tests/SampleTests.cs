namespace Lahja.Packaging.Tests;

/// <summary>samples/Lahja.Sample built and run as a user's program, against the packed Lahja and Lahja.Onnx.</summary>
[Collection(PackagingCollection.Name)]
public sealed class SampleTests(PackedLahja packed)
{
    [Fact]
    public void The_console_sample_predicts_with_the_packed_library()
    {
        Assert.True(packed.Pack.ExitCode == 0, packed.Pack.ToString());
        // A copy outside the repository, as in a user's own folder, with a NuGet configuration naming only the feed
        // (the other dependencies come from the packages the repository's builds restored: nothing is downloaded).
        var sample = Path.Combine(packed.Work, "sample");
        Directory.CreateDirectory(sample);
        foreach (var file in Directory.GetFiles(Path.Combine(PackedLahja.RepositoryRoot, "samples", "Lahja.Sample")))
            File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
        packed.WriteNuGetConfig(Path.Combine(sample, "nuget.config"), fallback: true);
        var environment = packed.UserEnvironment(Path.Combine(packed.Work, "sample-packages"));
        var model = Path.Combine(PackedLahja.RepositoryRoot, "models", "default");
        var result = Processes.Run("dotnet", ["run", "-c", "Release", "--", model, "شو عم تعمل هلق"], sample, environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("شو عم تعمل هلق\tLebanon ", result.Out);
        // It ran on the packed version of the library.
        Assert.True(Directory.Exists(Path.Combine(packed.Work, "sample-packages", "lahja", packed.Version)), result.ToString());
    }
}
