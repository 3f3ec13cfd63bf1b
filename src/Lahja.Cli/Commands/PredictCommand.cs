using System.CommandLine;
using System.Text;
using Lahja.Data;
using Lahja.Text;
using Spectre.Console;

namespace Lahja.Cli.Commands;

/// <summary>
/// <c>lahja predict [--model DIR|OWNER/NAME] [TEXT...] [--input FILE [--column C]] [--format F] [--output FILE] …</c>
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Checkpoint directory or Hugging Face Hub id (OWNER/NAME). Default: $LAHJA_MODEL, then the bundled model." };
        var input = new Option<FileInfo?>("--input", "-i") { Description = "Read texts from FILE: one per line, or a TSV/CSV column with --column. Without TEXT or --input, standard input is read." };
        var column = new Option<string?>("--column") { Description = "Column of a TSV (or .csv) input file with a header row, by name or 1-based number." };
        // A string with lower-case choices: an enum option would print its .NET type name for a bad value, and capitalised choices in help.
        var format = new Option<string>("--format", "-f") { Description = "Output format.", DefaultValueFactory = _ => nameof(PredictionFormat.Table).ToLowerInvariant() };
        format.AcceptOnlyFromAmong([.. Enum.GetNames<PredictionFormat>().Select(n => n.ToLowerInvariant())]);
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to FILE (atomically: complete or absent) instead of standard output." };
        var threshold = new Option<float?>("--threshold") { Description = "Probability at or above which a dialect is predicted (default: the model's lahja.json, else 0.3)." };
        var relativeThreshold = new Option<float?>("--relative-threshold") { Description = "A dialect also needs at least this fraction of the top dialect's probability (default: the model's lahja.json, else 0: off)." };
        var topK = new Option<int>("--top-k") { Description = "Dialects listed in 'top'.", DefaultValueFactory = _ => 3 };
        var preprocess = PreprocessCommand.PresetOption("--preprocess", TextPreprocessor.B2BertPresetName, "Preprocessing preset (none reproduces the model card snippet).");
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => 32 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the model (default: libtorch's choice)." };
        var maxLength = new Option<int>("--max-length") { Description = "Maximum tokens per text, [CLS] and [SEP] included.", DefaultValueFactory = _ => BertTokenizer.DefaultMaxLength };
        var shard = Shard.CreateOption("ranges of the texts, by line");
        var texts = new Argument<string[]>("text") { Arity = ArgumentArity.ZeroOrMore, Description = "Texts to classify." };
        var command = new Command("predict", "Identify the dialects each text could be said in.")
        {
            model, input, column, format, output, threshold, relativeThreshold, topK, preprocess, batchSize, threads, maxLength, shard, texts,
        };
        command.AddEngineOptions();
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var arguments = parse.GetValue(texts) ?? [];
            var inputFile = parse.GetValue(input);
            if (arguments.Length > 0 && inputFile is not null)
                throw new UsageException("Give texts as arguments or --input FILE, not both.");
            if (parse.GetValue(column) is not null && inputFile is null)
                throw new UsageException("--column needs --input FILE.");
            var part = Shard.From(parse.GetValue(shard));
            if (part is not null && inputFile is null)
                throw new UsageException("--shard needs --input FILE (every shard reads the same file).");
            var options = new DialectIdentifierOptions
            {
                Threshold = parse.GetValue(threshold),
                RelativeThreshold = parse.GetValue(relativeThreshold),
                TopK = parse.GetValue(topK),
                Preprocessing = parse.GetValue(preprocess)!,
                BatchSize = parse.GetValue(batchSize),
                Threads = parse.GetValue(threads),
                MaxLength = parse.GetValue(maxLength),
                Engine = EngineSelection.Factory(parse),
            };
            if (inputFile is { Exists: true } && parse.GetValue(column) is null && TextInput.HeaderColumns(inputFile.FullName) is { } columns)
                throw new UsageException($"{inputFile.FullName} looks like a table with a header; choose the column to classify with --column NAME or NUMBER. Columns: {ColumnList(columns)}.");
            var chosenFormat = Enum.Parse<PredictionFormat>(parse.GetValue(format)!, ignoreCase: true);
            if (part is not null && chosenFormat is not (PredictionFormat.Jsonl or PredictionFormat.Tsv or PredictionFormat.Nadi))
                throw new UsageException("--shard needs --format jsonl, tsv or nadi: only line formats concatenate.");
            var directory = ModelLocator.Resolve(parse.GetValue(model), new DownloadCommand.DownloadReporter(io.Error));
            using var identifier = DialectIdentifier.Load(directory, options);

            IEnumerable<string> source;
            int? total = null;
            Stream? inputStream = null;
            var writeHeader = true;
            if (arguments.Length > 0) source = arguments;
            else if (inputFile is not null)
            {
                if (!inputFile.Exists) throw new FileNotFoundException($"Input file '{inputFile.FullName}' does not exist.");
                IEnumerable<InputText> ReadInput(Stream stream) => TextInput.Read(stream, inputFile.FullName, parse.GetValue(column), TextInput.DelimiterFor(inputFile.Name));
                total = TextInput.CountLines(inputFile.FullName) - (parse.GetValue(column) is null ? 0 : 1);
                inputStream = inputFile.OpenRead();
                var lines = ReadInput(inputStream);
                if (part is { } p)
                {
                    // Shards count the texts classified (a table's empty rows are skipped), in windows as Run forms them.
                    long count;
                    using (var counting = inputFile.OpenRead()) count = ReadInput(counting).LongCount();
                    var (start, end) = p.Range(count, Window(options));
                    lines = lines.Skip(checked((int)start)).Take(checked((int)(end - start)));
                    total = (int)(end - start);
                    writeHeader = start == 0; // the TSV header belongs to the shard that starts the output
                }
                source = PreprocessCommand.Texts(lines, inputFile.FullName, io.Error);
            }
            else
            {
                source = PreprocessCommand.Inputs(null, io);
            }
            using (inputStream)
            {
                var outputFile = parse.GetValue(output);
                var count = outputFile is null
                    ? Run(identifier, source, io.Out, chosenFormat, total, io, writeHeader)
                    : WriteAtomically(outputFile.FullName, writer => Run(identifier, source, writer, chosenFormat, total, io, writeHeader));
                if (count == 0) io.Error.WriteLine("lahja: warning: no texts to classify (empty input).");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Column names for a message: quoted, control characters escaped, long names and long lists shortened.</summary>
    private static string ColumnList(IReadOnlyList<string> columns)
    {
        const int maxColumns = 20, maxName = 40;
        static string Show(string name)
        {
            var escaped = string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
            return "'" + (escaped.Length > maxName ? escaped[..(maxName - 1)] + "…" : escaped) + "'";
        }
        var shown = string.Join(", ", columns.Take(maxColumns).Select((name, i) => $"{i + 1} {Show(name)}"));
        return columns.Count > maxColumns ? $"{shown}, … ({columns.Count} in all)" : shown;
    }

    /// <summary>Texts read and predicted at a time: batches form within a window, so shards cut between windows.</summary>
    private static int Window(DialectIdentifierOptions options) => options.BatchSize * 8;

    private static int Run(DialectIdentifier identifier, IEnumerable<string> texts, TextWriter output, PredictionFormat format, int? total, CliIO io, bool writeHeader)
    {
        var writer = new PredictionWriter(output, format, writeHeader);
        var count = 0;
        var window = Window(identifier.Options);
        var progress = total is > 0 ? new TextsProgress(io.Error, total.Value) : null;
        foreach (var chunk in texts.Chunk(window))
        {
            foreach (var prediction in identifier.Predict(chunk))
                writer.Write(prediction);
            count += chunk.Length;
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

/// <summary>A command line whose parts contradict each other: exit code 2, like a parse error.</summary>
internal sealed class UsageException(string message) : Exception(message);
