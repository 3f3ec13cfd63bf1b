using System.CommandLine;
using System.Text;
using Lahja.Cli.Commands.Shared;
using Lahja.Data;

namespace Lahja.Cli.Commands;

/// <summary>
/// <c>lahja predict [--model DIR|OWNER/NAME] [TEXT...] [--input FILE [--column C]] [--format F] [--output FILE] …</c>
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOption.Create();
        var input = new Option<FileInfo?>("--input", "-i") { Description = "Read texts from FILE: one per line, or a TSV/CSV column with --column. Without TEXT or --input, standard input is read." };
        var column = CommonOptions.Column();
        // A string with lower-case choices: an enum option would print its .NET type name for a bad value, and capitalised choices in help.
        var format = new Option<string>("--format", "-f") { Description = "Output format.", DefaultValueFactory = _ => nameof(PredictionFormat.Table).ToLowerInvariant() };
        format.AcceptOnlyFromAmong([.. Enum.GetNames<PredictionFormat>().Select(n => n.ToLowerInvariant())]);
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to FILE (atomically: complete or absent) instead of standard output." };
        var settings = new IdentifierSettings
        {
            Threshold = CommonOptions.Threshold(),
            RelativeThreshold = CommonOptions.RelativeThreshold(),
            TopK = CommonOptions.TopK(),
            Preprocessing = CommonOptions.Preset("Preprocessing preset (none reproduces the model card snippet)."),
            BatchSize = CommonOptions.BatchSize(),
            MaxBatchTokens = CommonOptions.MaxBatchTokens(),
            Threads = CommonOptions.Threads(),
            MaxLength = CommonOptions.ModelMaxLength(),
            Engine = true,
        };
        var shard = Shard.CreateOption("ranges of the texts, by line");
        var texts = new Argument<string[]>("text") { Arity = ArgumentArity.ZeroOrMore, Description = "Texts to classify." };
        var command = new Command("predict", "Identify the dialects each text could be said in.") { model, input, column, format, output };
        settings.AddTo(command);
        command.Options.Add(shard);
        command.Arguments.Add(texts);
        command.SetAction(parse => CliApp.Guard(io, () => Execute(new PredictRequest
        {
            Model = parse.GetValue(model),
            Texts = parse.GetValue(texts) ?? [],
            Input = parse.GetValue(input),
            Column = parse.GetValue(column),
            Format = Enum.Parse<PredictionFormat>(parse.GetValue(format)!, ignoreCase: true),
            Output = parse.GetValue(output),
            Shard = Shard.From(parse.GetValue(shard)),
            Options = settings.Bind(parse),
        }, io)));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="request"/>: the model is resolved and loaded once, the input read once (and counted, for
    /// progress or a shard's range), and predicted window by window straight into the writer.
    /// </summary>
    internal static int Execute(PredictRequest request, CliIO io)
    {
        request.Validate();
        if (request.Input is { } file) InputTexts.RequireColumnOfATable(file, request.Column);
        using var identifier = DialectIdentifier.Load(ModelOption.Resolve(request.Model, io), request.Options);
        var (texts, total, writeHeader) = Source(request, identifier.Options, io);
        var count = request.Output is null
            ? Run(identifier, texts, io.Out, request.Format, total, io, writeHeader)
            : WriteAtomically(request.Output.FullName, writer => Run(identifier, texts, writer, request.Format, total, io, writeHeader));
        if (count == 0) io.Error.WriteLine("lahja: warning: no texts to classify (empty input).");
        return 0;
    }

    /// <summary>The texts to predict, how many there are when known (for progress), and whether a TSV header belongs to this output.</summary>
    private static (IEnumerable<string> Texts, int? Total, bool WriteHeader) Source(PredictRequest request, DialectIdentifierOptions options, CliIO io)
    {
        if (request.Texts.Count > 0) return (request.Texts, null, true);
        if (request.Input is not { } file) return (InputTexts.FromArgumentsOrStandardInput(null, io), null, true);
        var lines = InputTexts.ReadFile(file, request.Column);
        if (request.Shard is not { } part)
            return (InputTexts.WithWarnings(lines, file.FullName, io.Error), TextInput.CountLines(file.FullName) - (request.Column is null ? 0 : 1), true);
        // Shards count the texts classified (a table's empty rows are skipped), in windows as Run forms them.
        var (start, end) = part.Range(lines.LongCount(), Window(options));
        var shardLines = lines.Skip(checked((int)start)).Take(checked((int)(end - start)));
        // The TSV header belongs to the shard that starts the output.
        return (InputTexts.WithWarnings(shardLines, file.FullName, io.Error), (int)(end - start), start == 0);
    }

    /// <summary>Texts read and predicted at a time: batches form within a window, so shards cut between windows.</summary>
    private static int Window(DialectIdentifierOptions options) => options.BatchSize * 8;

    private static int Run(DialectIdentifier identifier, IEnumerable<string> texts, TextWriter output, PredictionFormat format, int? total, CliIO io, bool writeHeader)
    {
        var writer = new PredictionWriter(output, format, writeHeader);
        var count = 0;
        var progress = total is > 0 ? new TextsProgress(io.Error, total.Value) : null;
        foreach (var window in texts.Chunk(Window(identifier.Options)))
        {
            foreach (var prediction in identifier.Predict(window))
                writer.Write(prediction);
            count += window.Length;
            progress?.Report(count);
        }
        writer.Finish();
        progress?.Done();
        return count;
    }

    private static int WriteAtomically(string path, Func<TextWriter, int> write)
    {
        var count = 0;
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            count = write(writer);
        });
        return count;
    }
}
