using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lahja.Cli.Commands;

namespace Lahja.Cli;

/// <summary>The streams a command reads and writes (the console in production, strings in tests).</summary>
/// <param name="In">Standard input.</param>
/// <param name="Out">Standard output: results only.</param>
/// <param name="Error">Standard error: messages, progress.</param>
public sealed record CliIO(TextReader In, TextWriter Out, TextWriter Error);

/// <summary>The <c>lahja</c> command line.</summary>
public static class CliApp
{
    /// <summary>JSON output settings: compact, and Arabic written as itself rather than \u escapes.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Parses <paramref name="args"/>, runs the command and returns the process exit code.</summary>
    public static int Run(string[] args, CliIO io)
    {
        // A plain command named "lahja" rather than RootCommand, whose name would be the assembly's (Lahja.Cli).
        var root = new Command("lahja", "Lahja: multi-label Arabic dialect identification (B2BERT) for .NET.")
        {
            new HelpOption(),
            new VersionOption(),
            PreprocessCommand.Create(io),
            TokenizeCommand.Create(io),
            DialectsCommand.Create(io),
        };
        var parse = root.Parse(args);
        return parse.Invoke(new InvocationConfiguration { Output = io.Out, Error = io.Error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// Runs a command body, turning the errors a user can cause (bad files, bad values) into one clear message on
    /// standard error and exit code 1, never a stack trace.
    /// </summary>
    internal static int Guard(CliIO io, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or FormatException or UnauthorizedAccessException or JsonException)
        {
            io.Error.WriteLine($"lahja: error: {e.Message}");
            return 1;
        }
    }
}
