using System.CommandLine;
using System.Globalization;
using Lahja.Checkpoints;
using Lahja.Cli.Commands.Shared;
using Lahja.Data;
using Lahja.Torch.Training;

namespace Lahja.Cli.Commands;

/// <summary>
/// <c>lahja pretrain --input FILE... --output DIR (--vocab DIR [architecture] | --init MODEL) [options]</c>: masked-language
/// pre-training of an encoder on unlabelled text, for <c>lahja train --init DIR</c> to fine-tune.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create(CliIO io)
    {
        var defaults = new PretrainingOptions();
        var inputs = new Option<FileInfo[]>("--input", "-i") { Description = "Texts: .txt (one per line) or any labelled format (TSV/CSV/JSONL: its texts; labels unused). Repeatable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Output directory: a Hugging Face BertForMaskedLM checkpoint, replaced only when complete.", Required = true };
        var init = new Option<string?>("--init") { Description = "Continue pre-training this checkpoint (directory or Hub id), e.g. CAMeLBERT on dialectal text." };
        var vocab = new Option<DirectoryInfo?>("--vocab") { Description = "From scratch: the tokenizer directory (from `lahja vocab`)." };
        var architecture = new ArchitectureOptions();
        var lr = CommonOptions.LearningRate(defaults.LearningRate);
        var dropout = new Option<double>("--dropout") { Description = "Hidden and attention dropout.", DefaultValueFactory = _ => defaults.Dropout }.Within(0.0, 1.0);
        var batch = new Option<int>("--batch-size") { Description = "Texts per step.", DefaultValueFactory = _ => defaults.BatchSize }.Within(1);
        var epochs = new Option<int>("--epochs") { Description = "Passes over the texts.", DefaultValueFactory = _ => defaults.Epochs }.Within(1);
        var maxLength = CommonOptions.MaxLength("Maximum tokens per text (longer ones are cut).", defaults.MaxLength).Within(3);
        var maskProbability = new Option<double>("--mask-probability") { Description = "Share of tokens to predict (BERT: 0.15).", DefaultValueFactory = _ => defaults.MaskProbability }.Above(0.0).Within(0.0, 1.0);
        var weightDecay = CommonOptions.WeightDecay(defaults.WeightDecay);
        var warmup = CommonOptions.WarmupSteps(defaults.WarmupSteps);
        var clip = CommonOptions.MaxGradNorm(defaults.MaxGradNorm);
        var holdout = new Option<int>("--holdout") { Description = "Texts held out (at most a tenth) and scored after each epoch (masked-token loss and accuracy); 0: none.", DefaultValueFactory = _ => defaults.HoldoutTexts }.Within(0);
        var seed = CommonOptions.Seed(defaults.Seed);
        var preprocess = CommonOptions.Preset("Preprocessing preset (use the one fine-tuning will use).", defaultValue: defaults.Preprocessing);
        var threads = CommonOptions.Threads("CPU threads.");
        var device = CommonOptions.TrainingDevice();
        var command = new Command("pretrain", "Pre-train a BERT encoder on unlabelled text (masked-language model), then fine-tune it with `lahja train --init DIR`.")
        {
            inputs, output, init, vocab,
        };
        foreach (var option in architecture.All) command.Options.Add(option);
        foreach (var option in new Option[] { lr, dropout, batch, epochs, maxLength, maskProbability, weightDecay, warmup, clip, holdout, seed, preprocess, threads, device })
            command.Options.Add(option);
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            architecture.Validate(parse, init, vocab);
            if (parse.GetValue(init) is null && parse.GetValue(vocab) is null)
                throw new UsageException("Give --init MODEL to continue a checkpoint, or --vocab DIR to start from scratch.");
            EngineSelection.EnsureTorch();
            var texts = new List<string>();
            foreach (var file in parse.GetValue(inputs)!)
            {
                var before = texts.Count;
                texts.AddRange(file.Extension.Equals(".txt", StringComparison.OrdinalIgnoreCase)
                    ? TextInput.Read(file.OpenRead(), file.FullName).Select(t => t.Text).Where(t => t.Length > 0)
                    : LabeledDataset.Read(file.FullName).Texts);
                io.Error.WriteLine($"lahja: {texts.Count - before:N0} texts from {file.Name}");
            }
            var (config, tokenizerDir, initialWeights) = architecture.Start(parse, init, vocab, parse.GetValue(maxLength), io, "continue");
            var options = defaults with
            {
                LearningRate = parse.GetValue(lr),
                Dropout = parse.GetValue(dropout),
                BatchSize = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs),
                MaxLength = parse.GetValue(maxLength),
                MaskProbability = parse.GetValue(maskProbability),
                WeightDecay = parse.GetValue(weightDecay),
                WarmupSteps = parse.GetValue(warmup),
                MaxGradNorm = parse.GetValue(clip),
                HoldoutTexts = parse.GetValue(holdout),
                Seed = parse.GetValue(seed),
                Preprocessing = parse.GetValue(preprocess)!,
                Threads = parse.GetValue(threads),
                Device = parse.GetValue(device),
            };
            var pretrainer = new Pretrainer(config, tokenizerDir, initialWeights, options)
            {
                Progress = new SyncProgress<TrainingProgress>(p => io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"lahja: {p.Stage}: step {p.Step}/{p.TotalSteps}, loss {p.Loss:0.0000}, {p.ExamplesPerSecond:0.0} texts/s"))),
                Evaluations = new SyncProgress<PretrainingEvaluation>(e => io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"lahja: held-out after epoch {e.Epoch}: masked-token loss {e.Loss:0.0000}, accuracy {100 * e.Accuracy:0.00} % ({e.MaskedTokens:N0} tokens)"))),
            };
            var outputDir = parse.GetValue(output)!.FullName;
            pretrainer.Train(texts, outputDir);
            io.Error.WriteLine($"lahja: the pre-trained encoder is in {outputDir}: fine-tune it with `lahja train --init {outputDir} --train …`.");
            io.Out.WriteLine(outputDir);
            return 0;
        }));
        return command;
    }
}
