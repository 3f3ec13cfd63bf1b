namespace Lahja.Cli.Tests;
internal static class Repo
{
    public static string Root { get; } = FindRoot();
    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lahja.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Lahja.slnx not found above the test binaries.");
    }
}
