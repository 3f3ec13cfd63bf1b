using System.CommandLine;

namespace Lahja.Cli.Commands.Shared;

/// <summary><c>--model</c>, and its resolution to a checkpoint directory (a Hub id downloaded with progress on standard error).</summary>
internal static class ModelOption
{
    /// <summary>What --model takes, and its default.</summary>
    public const string Description = $"Checkpoint directory or Hugging Face Hub id (OWNER/NAME). Default: ${ModelLocator.ModelVariable}, then the bundled model.";

    public static Option<string?> Create(string description = Description) => new("--model", "-m") { Description = description };

    /// <summary>
    /// The checkpoint directory <paramref name="model"/> names (see <see cref="ModelLocator.Resolve"/>). When nothing
    /// names one and the bundled model is taken, one line on standard error says so, with its description.
    /// </summary>
    public static string Resolve(string? model, CliIO io, bool noteDefault = true)
    {
        var directory = ModelLocator.Resolve(model, new DownloadReporter(io.Error));
        if (noteDefault && model is null && Environment.GetEnvironmentVariable(ModelLocator.ModelVariable) is null)
            io.Error.WriteLine($"lahja: no --model given: the bundled model{(Checkpoints.LahjaSettings.Load(directory)?.Description is { } d ? ": " + d : $" ({directory})")}");
        return directory;
    }
}
