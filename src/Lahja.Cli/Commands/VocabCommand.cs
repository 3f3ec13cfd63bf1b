using System.CommandLine;
using System.Text.Json.Nodes;
using Lahja.Cli.Commands.Shared;
using Lahja.Data;
using Lahja.Text;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja vocab --input FILE... --size N --output DIR</c>: learn a WordPiece vocabulary for training from scratch.</summary>
internal static class VocabCommand
{
    public static Command Create(CliIO io)
    {
        var inputs = new Option<FileInfo[]>("--input", "-i") { Description = "Corpus files: .txt (one text per line) or any labelled format (TSV/CSV/JSONL).", Required = true, AllowMultipleArgumentsPerToken = true };
        var size = new Option<int>("--size") { Description = "Vocabulary size, special tokens included.", DefaultValueFactory = _ => 30000 };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Directory for vocab.txt and tokenizer_config.json.", Required = true };
        var preprocess = CommonOptions.Preset("Preprocessing applied to the corpus first (as in training).");
        var cased = new Option<bool>("--cased") { Description = "Keep case and accents (do_lower_case false)." };
        var minFrequency = new Option<int>("--min-frequency") { Description = "Ignore words and merges seen fewer times.", DefaultValueFactory = _ => 2 };
        var command = new Command("vocab", "Learn a WordPiece vocabulary from a corpus (Hugging Face WordPieceTrainer semantics).") { inputs, size, output, preprocess, cased, minFrequency };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var preprocessor = TextPreprocessor.FromPreset(parse.GetValue(preprocess)!);
            var lowercase = !parse.GetValue(cased);
            var trainer = new WordPieceTrainer(lowercase);
            foreach (var file in parse.GetValue(inputs)!)
            {
                IEnumerable<string> texts = file.Extension.Equals(".txt", StringComparison.OrdinalIgnoreCase)
                    ? TextInput.Read(file.OpenRead(), file.FullName).Select(t => t.Text)
                    : LabeledDataset.Read(file.FullName).Texts;
                foreach (var text in texts) trainer.Add(preprocessor.Process(text));
            }
            io.Error.WriteLine($"lahja: {trainer.DistinctWords:N0} distinct words");
            var vocab = trainer.Train(parse.GetValue(size), parse.GetValue(minFrequency));
            var dir = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, "vocab.txt"), string.Join("\n", vocab) + "\n");
            AtomicFile.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
                new JsonObject { ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = lowercase, ["strip_accents"] = lowercase, ["model_max_length"] = 512 }.ToJsonString() + "\n");
            io.Out.WriteLine($"{vocab.Count} tokens written to {Path.Combine(dir, "vocab.txt")}");
            if (vocab.Count < parse.GetValue(size))
            {
                var minimum = parse.GetValue(minFrequency);
                io.Error.WriteLine($"lahja: {vocab.Count:N0} tokens, not the {parse.GetValue(size):N0} asked for: the corpus has no more pieces to merge that occur at least " +
                                   $"--min-frequency {minimum} times (the {WordPieceTrainer.SpecialTokens.Count} special tokens, the characters, and every merge of the " +
                                   $"{trainer.WordsSeenAtLeast(minimum):N0} of {trainer.DistinctWords:N0} distinct words seen that often are in). A larger corpus" +
                                   (minimum > 1 ? " or a lower --min-frequency gives more." : " gives more."));
            }
            return 0;
        }));
        return command;
    }
}
