using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Cli.Commands.Shared;
using Lahja.Data;
using Lahja.Text;
using Lahja.Torch.Training;

namespace Lahja.Cli.Commands;

/// <summary>
/// <c>lahja train --train FILE... --output DIR (--init MODEL | --vocab DIR [architecture]) [--dev FILE] [options] [--plan] [--resume]</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliIO io)
    {
        var defaults = new TrainingOptions();
        var trainFiles = new Option<FileInfo[]>("--train") { Description = "Training data (any labelled format; single-label rows become one-hot targets). Repeatable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var nadiTrain = new Option<DirectoryInfo?>("--nadi-train") { Description = "Folder of the NADI training TSVs, for label files that point into them (train_id, nadi_source: B2BERT's teacher-label layout)." };
        var skipBad = new Option<bool>("--skip-bad-rows") { Description = "Report malformed training rows (file and line) and skip them instead of stopping." };
        var dedupe = new Option<bool>("--dedupe") { Description = "Drop training rows whose text repeats an earlier one (first kept)." };
        var dev = new Option<FileInfo?>("--dev") { Description = "Dev data, scored after every epoch/stage with the official scorer (single-label: arg-max macro F1)." };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Output directory (a Hugging Face checkpoint when done)." };
        var init = new Option<string?>("--init") { Description = "Start from this checkpoint (directory or Hub id), e.g. CAMeLBERT; its head may be absent." };
        var vocab = new Option<DirectoryInfo?>("--vocab") { Description = "From scratch: the tokenizer directory (vocab.txt, tokenizer_config.json)." };
        var architecture = new ArchitectureOptions();
        var curriculum = new Option<string>("--curriculum") { Description = "Curriculum by label cardinality.", DefaultValueFactory = _ => "none" };
        curriculum.AcceptOnlyFromAmong("none", "cardinality-epochs", "cardinality-stages");
        var lr = CommonOptions.LearningRate(defaults.LearningRate);
        var dropout = new Option<double>("--dropout") { Description = "Dropout.", DefaultValueFactory = _ => defaults.Dropout };
        var batch = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (per stage with cardinality-stages).", DefaultValueFactory = _ => defaults.Epochs };
        var maxLength = CommonOptions.MaxLength("Maximum tokens per text.", defaults.MaxLength);
        var weightDecay = CommonOptions.WeightDecay(defaults.WeightDecay);
        var warmup = CommonOptions.WarmupSteps(defaults.WarmupSteps);
        var clip = CommonOptions.MaxGradNorm(defaults.MaxGradNorm);
        var freezeEmbeddings = new Option<bool>("--freeze-embeddings") { Description = "Freeze the embeddings." };
        var freezeLayers = new Option<int>("--freeze-layers") { Description = "Freeze the first N encoder layers (B2BERT: 8).", DefaultValueFactory = _ => defaults.FreezeLayers };
        var accumulate = new Option<int>("--accumulate") { Description = "Gradient accumulation steps.", DefaultValueFactory = _ => defaults.GradientAccumulation };
        var seed = CommonOptions.Seed(defaults.Seed);
        var patience = new Option<int?>("--patience") { Description = $"Early-stopping patience in evaluations (default {defaults.Patience} with --dev)." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Resumable checkpoint every N steps (always at evaluations).", DefaultValueFactory = _ => defaults.CheckpointEverySteps };
        var preprocess = CommonOptions.Preset(defaultValue: defaults.Preprocessing);
        var posWeight = new Option<float?>("--pos-weight") { Description = "BCE positive-class weight." };
        var threads = CommonOptions.Threads("CPU threads.");
        // Out-of-range numbers are usage errors (exit 2) naming the option, found before any data is read.
        dropout.Within(0.0, 1.0);
        batch.Within(1); epochs.Within(1); maxLength.Within(2);
        freezeLayers.Within(0); accumulate.Within(1); checkpointEvery.Within(0);
        var device = CommonOptions.TrainingDevice();
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in --output." };
        var softTargets = new Option<bool>("--soft-targets") { Description = "Learn the teacher's probabilities (p_<dialect> columns, as `lahja pseudo-label` writes for local and model teachers) instead of the 0/1 labels; the labels still drive the curriculum." };
        var plan = new Option<bool>("--plan") { Description = "Print each stage's or epoch's composition as JSON and exit without training." };
        var command = new Command("train", "Fine-tune or train from scratch a multi-label dialect model, with B2BERT's curriculum, writing a Hugging Face checkpoint.")
        {
            trainFiles, nadiTrain, skipBad, dedupe, dev, output, init, vocab,
        };
        foreach (var option in architecture.All) command.Options.Add(option);
        foreach (var option in new Option[] { curriculum, lr, dropout, batch, epochs, maxLength, weightDecay, warmup, clip, freezeEmbeddings, freezeLayers, accumulate, seed,
                                              patience, checkpointEvery, preprocess, posWeight, threads, device, resume, plan, softTargets })
            command.Options.Add(option);
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            architecture.Validate(parse, init, vocab);
            EngineSelection.EnsureTorch();
            var strategy = parse.GetValue(curriculum) switch
            {
                "cardinality-epochs" => CurriculumStrategy.CardinalityEpochs,
                "cardinality-stages" => CurriculumStrategy.CardinalityStages,
                _ => CurriculumStrategy.None,
            };
            var data = TrainingData.Read(parse.GetValue(trainFiles)!.Select(f => f.FullName), new TrainingDataOptions
            {
                NadiTrainDirectory = parse.GetValue(nadiTrain)?.FullName, SkipBadRows = parse.GetValue(skipBad),
                SoftTargets = parse.GetValue(softTargets), Dedupe = parse.GetValue(dedupe),
            }, new SyncProgress<TrainingFile>(file => ReportFile(io, file)));
            if (parse.GetValue(dedupe)) io.Error.WriteLine($"lahja: --dedupe dropped {data.DuplicatesDropped:N0} repeated texts");
            var examples = data.Examples;
            if (parse.GetValue(plan))
            {
                var stages = Curriculum.Plan(examples, strategy, parse.GetValue(epochs), parse.GetValue(seed));
                var json = stages.Select(s =>
                {
                    var (byCardinality, byDialect) = Curriculum.Composition(examples, s);
                    return new
                    {
                        name = s.Name, epochs = s.Epochs, rows = s.Indices.Length, distinct_rows = s.Indices.Distinct().Count(),
                        by_cardinality = byCardinality.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
                        by_dialect = byDialect.ToDictionary(p => p.Key.Label(), p => p.Value),
                    };
                });
                io.Out.WriteLine(JsonSerializer.Serialize(json, ScoreJson.Options));
                return 0;
            }
            var outputDir = parse.GetValue(output)?.FullName ?? throw new UsageException("--output DIR is required to train.");
            var (config, tokenizerDir, initialWeights) = architecture.Start(parse, init, vocab, parse.GetValue(maxLength), io, "fine-tune");
            var devSet = parse.GetValue(dev) is { } devFile ? DevSet.From(LabeledDataset.Read(devFile.FullName)) : null;
            var options = defaults with
            {
                LearningRate = parse.GetValue(lr),
                Dropout = parse.GetValue(dropout),
                BatchSize = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs),
                MaxLength = parse.GetValue(maxLength),
                WeightDecay = parse.GetValue(weightDecay),
                WarmupSteps = parse.GetValue(warmup),
                MaxGradNorm = parse.GetValue(clip),
                FreezeEmbeddings = parse.GetValue(freezeEmbeddings),
                FreezeLayers = parse.GetValue(freezeLayers),
                GradientAccumulation = parse.GetValue(accumulate),
                Seed = parse.GetValue(seed),
                Curriculum = strategy,
                Patience = devSet is null ? null : parse.GetValue(patience) ?? defaults.Patience,
                CheckpointEverySteps = parse.GetValue(checkpointEvery),
                Preprocessing = parse.GetValue(preprocess)!,
                PositiveWeight = parse.GetValue(posWeight),
                Threads = parse.GetValue(threads),
                Device = parse.GetValue(device),
            };
            var metricName = devSet is null ? null : Trainer.MetricName(devSet);
            EvaluationPoint? best = null;
            var trainer = new Trainer(config, tokenizerDir, initialWeights, options)
            {
                Progress = new SyncProgress<TrainingProgress>(p => io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"lahja: {p.Stage}: step {p.Step}/{p.TotalSteps}, loss {p.Loss:0.0000}, {p.ExamplesPerSecond:0.0} examples/s"))),
                Evaluations = new SyncProgress<EvaluationPoint>(e =>
                {
                    if (e.Improved) best = e;
                    // The official scorer's scale is 0–100: "0.66" alone reads as 66 %.
                    io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"lahja: dev after {e.Stage}: {metricName} {e.Metric:0.00} out of 100{(e.Improved ? " (best so far: saved in best/)" : "")}"));
                }),
                Notices = new SyncProgress<string>(n => io.Error.WriteLine($"lahja: {n}")),
            };
            trainer.Train(examples, devSet, outputDir, parse.GetValue(resume));
            var curves = TrainingCurves.Write(outputDir);
            if (curves.Count > 0) io.Error.WriteLine($"lahja: curves in {string.Join(", ", curves)}");
            io.Error.WriteLine($"lahja: the model is in {outputDir} (config.json, model.safetensors, vocab.txt, tokenizer_config.json, lahja.json): " + (devSet is null
                ? "the weights after the last step (no --dev)."
                : "the weights of the best dev evaluation" + (best is { } b ? string.Create(CultureInfo.InvariantCulture, $" ({metricName} {b.Metric:0.00} out of 100, step {b.Step})") : "") + "."));
            io.Error.WriteLine($"lahja: {Path.Combine(outputDir, "best")}/ holds the same weights (kept during training); {Path.Combine(outputDir, "checkpoint")}/ holds the last " +
                               "resumable state (weights, optimiser, position) that --resume continues from. Neither is needed to use the model: delete them once the run is finished.");
            io.Out.WriteLine(outputDir);
            return 0;
        }));
        return command;
    }

    /// <summary>What a training file gave: its first bad rows, its examples, and what was outside the 18.</summary>
    private static void ReportFile(CliIO io, TrainingFile file)
    {
        const int shownBadRows = 10;
        var name = Path.GetFileName(file.Path);
        foreach (var problem in file.BadRows.Take(shownBadRows)) io.Error.WriteLine($"lahja: skipped {problem}");
        if (file.BadRows.Count > shownBadRows) io.Error.WriteLine($"lahja: … and {file.BadRows.Count - shownBadRows} more bad rows in {name}");
        io.Error.WriteLine($"lahja: {file.Examples:N0} examples from {name} ({file.Format}){DatasetReport.Skipped(file.SkippedOutOfSet)}");
    }
}
