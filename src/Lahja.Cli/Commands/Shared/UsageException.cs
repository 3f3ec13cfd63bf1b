namespace Lahja.Cli.Commands.Shared;

/// <summary>A command line whose parts contradict each other: exit code 2, like a parse error.</summary>
internal sealed class UsageException(string message) : Exception(message);
