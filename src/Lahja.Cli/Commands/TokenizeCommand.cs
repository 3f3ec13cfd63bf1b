using System.CommandLine;
using System.Text.Json;
using Lahja.Cli.Commands.Shared;
using Lahja.Text;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja tokenize [--model DIR|OWNER/NAME] [--max-length N] [--preprocess none|b2bert] [--do-lower-case true|false]</c>.</summary>
internal static class TokenizeCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOption.Create("Checkpoint directory (only the tokenizer files are needed: vocab.txt or tokenizer.json, tokenizer_config.json) or Hub id (OWNER/NAME). Default: $LAHJA_MODEL, then the bundled model.");
        var maxLength = new Option<int?>("--max-length")
        {
            Description = $"Maximum sequence length, [CLS] and [SEP] included (default: {BertTokenizer.DefaultMaxLength}, or the checkpoint's model_max_length where it is less, as predict reads it).",
        };
        var preprocess = CommonOptions.Preset("Preprocessing preset applied before tokenizing (default none: the tokenizer's own view).", defaultValue: TextPreprocessor.NonePresetName);
        var lower = new Option<bool?>("--do-lower-case") { Description = "Override the checkpoint's do_lower_case (accents follow it unless the checkpoint sets strip_accents)." };
        var texts = new Argument<string[]>("text") { Arity = ArgumentArity.ZeroOrMore, Description = "Texts to tokenize; without any, one text per line is read from standard input." };
        var command = new Command("tokenize", "Tokenize texts as Hugging Face's AutoTokenizer would: one JSON object per input line.") { model, maxLength, preprocess, lower, texts };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var requested = parse.GetValue(maxLength);
            if (requested < 2) throw new UsageException($"--max-length {requested}: must be at least 2 ([CLS] and [SEP]).");
            var directory = ModelOption.Resolve(parse.GetValue(model), io);
            var tokenizer = BertTokenizer.FromDirectory(directory, new BertTokenizerOptions { DoLowerCase = parse.GetValue(lower) });
            // Only the tokenizer files are needed here: no config.json, so the declared length alone bounds the default.
            var max = requested ?? DialectIdentifierOptions.DefaultMaxLengthFor(null, tokenizer.Settings);
            var preprocessor = TextPreprocessor.FromPreset(parse.GetValue(preprocess)!);
            foreach (var text in InputTexts.FromArgumentsOrStandardInput(parse.GetValue(texts), io))
            {
                var encoding = tokenizer.Encode(preprocessor.Process(text), max);
                var line = new TokenizeLine(encoding.InputIds, encoding.Tokens, Enumerable.Repeat(1, encoding.Count).ToArray(),
                    encoding.Offsets.Select(o => new[] { o.Start, o.End }).ToArray());
                io.Out.WriteLine(JsonSerializer.Serialize(line, CliApp.Json));
            }
            return 0;
        }));
        return command;
    }

    private sealed record TokenizeLine(IReadOnlyList<int> InputIds, IReadOnlyList<string> Tokens, int[] AttentionMask, int[][] Offsets);
}
