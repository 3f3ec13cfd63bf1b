using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lahja.Cli.Commands;
using Lahja.Cli.Commands.Shared;
using Lahja.Checkpoints;

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
            PredictCommand.Create(io),
            DownloadCommand.Create(io),
            EvaluateCommand.Create(io),
            ScoreCommand.Create(io),
            ExportCommand.Create(io),
            ServeCommand.Create(io),
            TrainCommand.Create(io),
            PretrainCommand.Create(io),
            PseudoLabelCommand.Create(io),
            JobsCommand.Create(io),
            VocabCommand.Create(io),
            PreprocessCommand.Create(io),
            TokenizeCommand.Create(io),
            DialectsCommand.Create(io),
        };
        var parse = root.Parse(args);
        var errors = parse.Errors.Select(e => e.Message).Concat(OptionLikeArguments(parse)).ToList();
        if (errors.Count > 0 && !args.Contains("--help") && !args.Contains("-h"))
        {
            foreach (var error in errors) io.Error.WriteLine($"lahja: {error}");
            io.Error.WriteLine($"Try '{string.Join(' ', ["lahja", .. CommandPath(parse.CommandResult.Command, root)])} --help'.");
            return UsageExitCode;
        }
        return parse.Invoke(new InvocationConfiguration { Output = io.Out, Error = io.Error, EnableDefaultExceptionHandler = false });
    }

    // ArgumentException appends "(Parameter 'x')" and the actual value on new lines: noise for a user.
    private static string UserMessage(Exception e) => e is ArgumentException
        ? System.Text.RegularExpressions.Regex.Replace(e.Message.Split('\n')[0], @" \(Parameter '[^']*'\)$", "")
        : e.Message;

    /// <summary>
    /// The command-line option behind each setting the library validates (<see cref="DialectIdentifierOptions"/>):
    /// every command passes these through unchanged, so a setting out of range is a usage error (exit 2) named by its
    /// option, whichever command it came from, however late it is found (--max-length against the model's limit).
    /// </summary>
    private static readonly Dictionary<string, string> OptionNames = new()
    {
        [nameof(DialectIdentifierOptions.Threshold)] = "--threshold",
        [nameof(DialectIdentifierOptions.RelativeThreshold)] = "--relative-threshold",
        [nameof(DialectIdentifierOptions.MaxLength)] = "--max-length",
        [nameof(DialectIdentifierOptions.BatchSize)] = "--batch-size",
        [nameof(DialectIdentifierOptions.MaxBatchTokens)] = "--max-batch-tokens",
        [nameof(DialectIdentifierOptions.TopK)] = "--top-k",
        [nameof(DialectIdentifierOptions.Threads)] = "--threads",
    };

    /// <summary>Exit code of a malformed command line.</summary>
    public const int UsageExitCode = 2;

    /// <summary>
    /// Texts are free arguments, so a mistyped option (<c>--treshold</c>) would be classified as text. Arguments that
    /// look like options are refused unless they follow <c>--</c>, the usual way to pass a text starting with '-'.
    /// </summary>
    private static IEnumerable<string> OptionLikeArguments(ParseResult parse)
    {
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) yield break;
            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-' && token.Value.All(c => c < 128 && !char.IsWhiteSpace(c)) && !double.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out _))
                yield return $"Unrecognized option '{token.Value}' (to pass a text that starts with '-', put it after '--').";
        }
    }

    private static IEnumerable<string> CommandPath(Command command, Command root) =>
        command == root ? [] : [command.Name];

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
        catch (UsageException e)
        {
            io.Error.WriteLine($"lahja: {e.Message}");
            return UsageExitCode;
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is not null && OptionNames.TryGetValue(e.ParamName, out var option))
        {
            io.Error.WriteLine($"lahja: {option} {FormattableString.Invariant($"{e.ActualValue}")}: {UserMessage(e)}");
            return UsageExitCode;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or FormatException
                                      or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            io.Error.WriteLine($"lahja: error: {UserMessage(e)}");
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug, not the user's doing: still one line, never a stack trace, and a non-zero exit.
            io.Error.WriteLine($"lahja: internal error ({e.GetType().Name}): {UserMessage(e)} Please report it with the command line that caused it.");
            return 1;
        }
    }
}
