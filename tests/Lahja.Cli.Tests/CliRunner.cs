namespace Lahja.Cli.Tests;

/// <summary>Runs the CLI in-process with string streams.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Out, string Error) Run(string stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = CliApp.Run(args, new CliIO(new StringReader(stdin), output, error));
        return (code, output.ToString(), error.ToString());
    }

    public static string RepositoryRoot => ReferenceTools.RepositoryRoot;
}

/// <summary>Tests that change process environment variables run in this collection, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}
