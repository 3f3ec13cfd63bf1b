using System.Text.Json;
using System.Text.Json.Nodes;
using Lahja.Checkpoints;
using Lahja.Evaluation;
using Lahja.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Lahja.Torch.Training;

/// <summary>Settings of a training run. Defaults are B2BERT's (model card and code).</summary>
public sealed record TrainingOptions
{
    /// <summary>Peak learning rate (card: 1e-5).</summary>
    public double LearningRate { get; init; } = 1e-5;
    /// <summary>Hidden-state and classifier dropout (card: 0.3).</summary>
    public double Dropout { get; init; } = 0.3;
    /// <summary>Examples per optimiser step before accumulation (card: 11).</summary>
    public int BatchSize { get; init; } = 11;
    /// <summary>Epochs (strategies none and cardinality-epochs) or epochs per stage (cardinality-stages).</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Maximum tokens per text (128).</summary>
    public int MaxLength { get; init; } = BertTokenizer.DefaultMaxLength;
    /// <summary>AdamW weight decay, not applied to biases and LayerNorm weights (0.01).</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Linear warm-up steps (500), then linear decay to 0.</summary>
    public int WarmupSteps { get; init; } = 500;
    /// <summary>Gradient-norm clipping (1.0; 0 disables).</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Freeze the embeddings.</summary>
    public bool FreezeEmbeddings { get; init; }
    /// <summary>Freeze the first N encoder layers (B2BERT's code: 8).</summary>
    public int FreezeLayers { get; init; }
    /// <summary>Batches accumulated per optimiser step.</summary>
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>Seed for initialisation, sampling, shuffling and dropout.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>The curriculum.</summary>
    public CurriculumStrategy Curriculum { get; init; } = CurriculumStrategy.None;
    /// <summary>Early-stopping patience in evaluations without improvement (B2BERT: 2); null disables.</summary>
    public int? Patience { get; init; } = 2;
    /// <summary>Save a resumable checkpoint every N optimiser steps (0: only at evaluation points).</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>Preprocessing preset applied to training and dev texts.</summary>
    public string Preprocessing { get; init; } = TextPreprocessor.B2BertPresetName;
    /// <summary>Positive-class weight of the BCE loss (null: 1).</summary>
    public float? PositiveWeight { get; init; }
    /// <summary>Threshold used when scoring the dev set.</summary>
    public float Threshold { get; init; } = DialectIdentifierOptions.DefaultThreshold;
    /// <summary>CPU threads (null: libtorch's default).</summary>
    public int? Threads { get; init; }

    /// <summary>Device: auto (CUDA when available, else CPU), cpu, cuda, cuda:N; null: <c>$LAHJA_DEVICE</c>, else auto.</summary>
    public string? Device { get; init; }
}

/// <summary>One progress report of a training run.</summary>
/// <param name="Stage">Stage or epoch name.</param>
/// <param name="Step">Optimiser steps done overall.</param>
/// <param name="TotalSteps">Optimiser steps planned overall.</param>
/// <param name="Loss">Mean loss since the last report.</param>
/// <param name="ExamplesPerSecond">Throughput since the last report.</param>
public readonly record struct TrainingProgress(string Stage, int Step, int TotalSteps, double Loss, double ExamplesPerSecond);

/// <summary>Dev-set results after a stage or epoch.</summary>
/// <param name="Stage">Stage or epoch name.</param>
/// <param name="Step">Optimiser steps done overall.</param>
/// <param name="Metric">The value compared for early stopping, 0–100 (macro F1, or arg-max macro F1 on single-label dev data: <see cref="Trainer.MetricName"/>).</param>
/// <param name="Improved">Whether it beat the best so far (the checkpoint was kept).</param>
public readonly record struct EvaluationPoint(string Stage, int Step, double Metric, bool Improved);

/// <summary>
/// Fine-tunes (or trains from scratch) a <see cref="BertForSequenceClassification"/> for the 18 dialects with
/// BCE-with-logits, AdamW, linear warm-up and decay, clipping, freezing, accumulation, a curriculum, dev evaluation
/// with the official scorer, best-checkpoint keeping, early stopping and crash-safe resumption. Deterministic under
/// the seed: data order comes from the plan and dropout is reseeded from (seed, step), so a resumed run follows the
/// same path as an uninterrupted one. It uses libtorch's process-wide generator and thread count: run one training
/// per process at a time.
/// </summary>
public sealed class Trainer
{
    private const string StateFile = "trainer_state.json";
    private readonly BertConfig _config;
    private readonly BertTokenizer _tokenizer;
    private readonly string _tokenizerSource;
    private readonly string? _initialWeights;
    private readonly TrainingOptions _options;
    private Device _device = CPU;

    /// <summary>Prepares a run. <paramref name="initialWeights"/> is a checkpoint directory to start from, or null to train from scratch.</summary>
    public Trainer(BertConfig config, string tokenizerDirectory, string? initialWeights, TrainingOptions options)
    {
        _options = options;
        _config = config with
        {
            HiddenDropoutProb = options.Dropout,
            ClassifierDropout = options.Dropout,
            Id2Label = Dialects.Table.Select(d => d.Label).ToArray(),
            ProblemType = "multi_label_classification",
            Architectures = ["BertForSequenceClassification"],
        };
        _tokenizerSource = tokenizerDirectory;
        _tokenizer = BertTokenizer.FromDirectory(tokenizerDirectory);
        _initialWeights = initialWeights;
    }

    /// <summary>Reports steps (every few seconds).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Reports dev evaluations.</summary>
    public IProgress<EvaluationPoint>? Evaluations { get; init; }

    /// <summary>Called after every optimiser step with the global step count (custom logging, or stopping via the token).</summary>
    public Action<int>? AfterStep { get; init; }

    /// <summary>Reports what a resumed run starts from (the checkpoint and its step, a recovered checkpoint, or starting over).</summary>
    public IProgress<string>? Notices { get; init; }

    /// <summary>
    /// Trains on <paramref name="train"/>, evaluating on <paramref name="dev"/> (multi-label or single-label gold) after
    /// each stage or epoch, and writes a Hugging Face–compatible checkpoint to <paramref name="output"/> (the best one
    /// on dev, else the last). With <paramref name="resume"/>, continues from <c>output/checkpoint</c>.
    /// </summary>
    public void Train(IReadOnlyList<TrainingExample> train, DevSet? dev, string output, bool resume = false, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureInitialized();
        if (_options.Threads is { } threads) TorchRuntime.SetThreads(threads);
        Directory.CreateDirectory(output);
        var checkpointDir = Path.Combine(output, "checkpoint");
        var bestDir = Path.Combine(output, "best");
        var preprocessor = TextPreprocessor.FromPreset(_options.Preprocessing);
        var encodings = train.Select(e => _tokenizer.Encode(preprocessor.Process(e.Text), _options.MaxLength)).ToArray();
        var devEncodings = dev?.Texts.Select(t => _tokenizer.Encode(preprocessor.Process(t), _options.MaxLength)).ToArray();
        var plan = Curriculum.Plan(train, _options.Curriculum, _options.Epochs, _options.Seed);
        var stepsPerStage = plan.Select(s => s.Epochs * StepsPerEpoch(s.Indices.Length)).ToArray();

        var state = resume ? ResumeState(checkpointDir) : new RunState();
        random.manual_seed(_options.Seed);
        using var model = CreateModel(state.Started ? checkpointDir : _initialWeights);
        _device = TorchRuntime.ResolveDevice(_options.Device);
        model.to(_device);
        ApplyFreezing(model);
        var metricsLog = Path.Combine(output, "metrics.jsonl");
        if (!state.Started && File.Exists(metricsLog)) File.Delete(metricsLog);
        // Lines logged after the checkpoint belong to steps the resumed run does again: drop them, or they are logged twice.
        if (state.Started && state.MetricsBytes is { } logged && File.Exists(metricsLog) && new FileInfo(metricsLog).Length > logged)
            using (var log = new FileStream(metricsLog, FileMode.Open, FileAccess.Write)) log.SetLength(logged);

        TorchSharp.Modules.AdamW? optimizer = null;
        for (var stageIndex = state.Stage; stageIndex < plan.Count && !state.Stopped; stageIndex++)
        {
            var stage = plan[stageIndex];
            // The staged curriculum fine-tunes each stage afresh (new optimiser and schedule), as the authors' code
            // does; the other strategies run one schedule over all epochs.
            var scheduleSteps = _options.Curriculum == CurriculumStrategy.CardinalityStages ? stepsPerStage[stageIndex] : stepsPerStage.Sum();
            var scheduleStart = _options.Curriculum == CurriculumStrategy.CardinalityStages ? 0 : stepsPerStage.Take(stageIndex).Sum();
            if (optimizer is null || _options.Curriculum == CurriculumStrategy.CardinalityStages)
            {
                optimizer?.Dispose();
                optimizer = CreateOptimizer(model);
                if (state.Started && state.Stage == stageIndex && File.Exists(Path.Combine(checkpointDir, "optimizer.bin")))
                    optimizer.load_state_dict(Path.Combine(checkpointDir, "optimizer.bin"));
            }
            for (var epoch = state.Stage == stageIndex ? state.Epoch : 0; epoch < stage.Epochs && !state.Stopped; epoch++)
            {
                var batches = stage.Indices.Chunk(_options.BatchSize).ToArray();
                var firstStep = state.Stage == stageIndex && state.Epoch == epoch ? state.StepInEpoch : 0;
                var reporter = new StepReporter(Progress, stage.Name, stepsPerStage.Sum());
                model.train();
                for (var step = firstStep; step < StepsPerEpoch(stage.Indices.Length); step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var scheduleStep = scheduleStart + epoch * StepsPerEpoch(stage.Indices.Length) + step;
                    SetLearningRate(optimizer, scheduleStep, scheduleSteps);
                    var loss = 0.0;
                    var examples = 0;
                    for (var micro = 0; micro < _options.GradientAccumulation; micro++)
                    {
                        var b = step * _options.GradientAccumulation + micro;
                        if (b >= batches.Length) break;
                        using var scope = NewDisposeScope();
                        // Dropout masks depend only on (seed, batch position), so a resumed run repeats them.
                        random.manual_seed(Mix(_options.Seed, stageIndex, epoch, b));
                        var batch = batches[b];
                        var value = Loss(model, batch.Select(i => encodings[i]).ToArray(), batch.Select(i => train[i].LossTarget).ToArray());
                        (value / _options.GradientAccumulation).backward();
                        loss += value.item<float>() * batch.Length;
                        examples += batch.Length;
                    }
                    if (_options.MaxGradNorm > 0)
                        nn.utils.clip_grad_norm_(model.parameters().Where(p => p.requires_grad), _options.MaxGradNorm);
                    optimizer.step();
                    optimizer.zero_grad();
                    state.GlobalStep++;
                    reporter.Step(state.GlobalStep, loss / Math.Max(1, examples), examples);
                    AfterStep?.Invoke(state.GlobalStep);
                    AppendLine(metricsLog, new { kind = "step", stage = stage.Name, epoch = epoch + 1, step = state.GlobalStep, loss = loss / Math.Max(1, examples), lr = optimizer.ParamGroups.First().LearningRate });
                    if (_options.CheckpointEverySteps > 0 && state.GlobalStep % _options.CheckpointEverySteps == 0)
                    {
                        state = state with { Started = true, Stage = stageIndex, Epoch = epoch, StepInEpoch = step + 1 };
                        SaveCheckpoint(model, optimizer, state, checkpointDir);
                    }
                }
                var next = epoch + 1 < stage.Epochs ? state with { Started = true, Stage = stageIndex, Epoch = epoch + 1, StepInEpoch = 0 }
                                                    : state with { Started = true, Stage = stageIndex + 1, Epoch = 0, StepInEpoch = 0 };
                state = next;
                if (dev is not null && devEncodings is not null)
                {
                    var metric = Evaluate(model, dev, devEncodings);
                    var improved = metric > state.BestMetric;
                    state = improved ? state with { BestMetric = metric, SinceBest = 0 } : state with { SinceBest = state.SinceBest + 1 };
                    if (improved) SaveModel(model, bestDir);
                    if (_options.Patience is { } patience && state.SinceBest >= patience) state = state with { Stopped = true };
                    Evaluations?.Report(new EvaluationPoint($"{stage.Name}, epoch {epoch + 1}", state.GlobalStep, metric, improved));
                    AppendLine(metricsLog, new { kind = "evaluation", stage = stage.Name, epoch = epoch + 1, step = state.GlobalStep, metric, metric_name = MetricName(dev), improved });
                    model.train();
                }
                SaveCheckpoint(model, optimizer, state, checkpointDir);
            }
        }
        optimizer?.Dispose();
        var final = dev is not null && Directory.Exists(bestDir) ? bestDir : null;
        if (final is null) SaveModel(model, bestDir);
        PublishOutput(bestDir, output, state);
    }

    /// <summary>What the dev metric is, on the official scorer's 0–100 scale: macro F1, or arg-max macro F1 on single-label dev data.</summary>
    public static string MetricName(DevSet dev) => dev.MultiLabel is not null ? "macro F1" : "arg-max macro F1";

    private int StepsPerEpoch(int examples) =>
        (int)Math.Ceiling(Math.Ceiling(examples / (double)_options.BatchSize) / _options.GradientAccumulation);

    private BertForSequenceClassification CreateModel(string? weights)
    {
        if (weights is null)
        {
            var fresh = new BertForSequenceClassification(_config, Dialects.Count);
            InitializeLikeTransformers(fresh, _config.InitializerRange, _ => true);
            return fresh;
        }
        using var tensors = TorchCheckpoint.OpenTensors(weights);
        var present = tensors.Tensors.Keys.Select(BertCheckpointLayout.Canonical).ToHashSet();
        var model = TorchCheckpoint.Load(_config, Dialects.Count, tensors, weights, headOptional: true);
        // A pre-trained encoder without a classification head: the head starts as transformers would start it.
        InitializeLikeTransformers(model, _config.InitializerRange, name => !present.Contains(name));
        return model;
    }

    /// <summary>
    /// transformers' BertPreTrainedModel._init_weights: Linear and Embedding weights ~ N(0, initializer_range), biases
    /// 0, the padding embedding row 0, LayerNorm weight 1 and bias 0 (TorchSharp's own defaults differ).
    /// </summary>
    private static void InitializeLikeTransformers(BertForSequenceClassification model, double std, Func<string, bool> which)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!which(name)) continue;
            if (name.Contains("LayerNorm", StringComparison.Ordinal)) _ = name.EndsWith(".weight", StringComparison.Ordinal) ? parameter.fill_(1) : parameter.zero_();
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else parameter.normal_(0, std);
        }
        if (which("bert.embeddings.word_embeddings.weight"))
            model.bert.embeddings.word_embeddings.weight![model.Config.PadTokenId].zero_();
    }

    private void ApplyFreezing(BertForSequenceClassification model)
    {
        foreach (var (name, parameter) in model.named_parameters())
        {
            var frozen = (_options.FreezeEmbeddings && name.StartsWith("bert.embeddings.", StringComparison.Ordinal))
                         || Enumerable.Range(0, _options.FreezeLayers).Any(l => name.StartsWith($"bert.encoder.layer.{l}.", StringComparison.Ordinal));
            parameter.requires_grad = !frozen;
        }
    }

    private TorchSharp.Modules.AdamW CreateOptimizer(BertForSequenceClassification model)
    {
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        bool NoDecay(string name) => name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal);
        var groups = new[]
        {
            new TorchSharp.Modules.AdamW.ParamGroup(trainable.Where(p => !NoDecay(p.name)).Select(p => p.parameter), _options.LearningRate, 0.9, 0.999, 1e-8, _options.WeightDecay, false, false),
            new TorchSharp.Modules.AdamW.ParamGroup(trainable.Where(p => NoDecay(p.name)).Select(p => p.parameter), _options.LearningRate, 0.9, 0.999, 1e-8, 0, false, false),
        };
        return optim.AdamW(groups, _options.LearningRate, 0.9, 0.999, 1e-8, _options.WeightDecay);
    }

    /// <summary>transformers' get_linear_schedule_with_warmup.</summary>
    private void SetLearningRate(TorchSharp.Modules.AdamW optimizer, int step, int totalSteps)
    {
        var warmup = Math.Min(_options.WarmupSteps, totalSteps);
        var factor = step < warmup ? (step + 1.0) / Math.Max(1, warmup) : Math.Max(0, (totalSteps - step) / (double)Math.Max(1, totalSteps - warmup));
        foreach (var group in optimizer.ParamGroups) group.LearningRate = _options.LearningRate * factor;
    }

    private Tensor Loss(BertForSequenceClassification model, TokenizedText[] batch, float[][] targets)
    {
        var padded = _tokenizer.Pad(batch);
        var shape = new long[] { padded.Count, padded.SequenceLength };
        var logits = model.forward(tensor(padded.InputIds, shape, device: _device), tensor(padded.AttentionMask, shape, device: _device), tensor(padded.TokenTypeIds, shape, device: _device));
        // BCE with logits takes soft targets as they are: distillation from a teacher's probabilities is the same loss.
        var target = tensor(targets.SelectMany(t => t).ToArray(), [targets.Length, Dialects.Count], device: _device);
        var weight = _options.PositiveWeight is { } w ? full(Dialects.Count, w, device: _device) : null;
        return nn.functional.binary_cross_entropy_with_logits(logits, target, pos_weights: weight);
    }

    private double Evaluate(BertForSequenceClassification model, DevSet dev, TokenizedText[] encodings)
    {
        model.eval();
        var probabilities = new float[encodings.Length][];
        using (inference_mode())
        {
            var order = Enumerable.Range(0, encodings.Length).OrderBy(i => encodings[i].Count).ToArray();
            foreach (var chunk in order.Chunk(64))
            {
                using var scope = NewDisposeScope();
                var padded = _tokenizer.Pad(chunk.Select(i => encodings[i]).ToArray());
                var shape = new long[] { padded.Count, padded.SequenceLength };
                var p = model.forward(tensor(padded.InputIds, shape, device: _device), tensor(padded.AttentionMask, shape, device: _device), tensor(padded.TokenTypeIds, shape, device: _device)).sigmoid().cpu().data<float>().ToArray();
                for (var r = 0; r < chunk.Length; r++) probabilities[chunk[r]] = p[(r * Dialects.Count)..((r + 1) * Dialects.Count)];
            }
        }
        if (dev.MultiLabel is { } gold)
            return MultiLabelScorer.Score(gold, ThresholdAnalysis.Decide(probabilities, new DecisionRule { Threshold = _options.Threshold })).MacroF1;
        return SingleLabelScorer.Score(dev.SingleLabel!, probabilities, _ => _options.Threshold).ArgMaxMacroF1;
    }

    private void SaveModel(BertForSequenceClassification model, string directory)
    {
        var staging = directory + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        SafeTensorsFile.Write(Path.Combine(staging, CheckpointFiles.SafeTensors), TorchCheckpoint.Parameters(model));
        ReplaceDirectory(staging, directory);
    }

    private void SaveCheckpoint(BertForSequenceClassification model, TorchSharp.Modules.AdamW optimizer, RunState state, string directory)
    {
        var staging = directory + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        SafeTensorsFile.Write(Path.Combine(staging, CheckpointFiles.SafeTensors), TorchCheckpoint.Parameters(model));
        optimizer.save_state_dict(Path.Combine(staging, "optimizer.bin"));
        _config.Save(Path.Combine(staging, CheckpointFiles.Config));
        var metricsLog = Path.Combine(Path.GetDirectoryName(directory)!, "metrics.jsonl");
        (state with { MetricsBytes = File.Exists(metricsLog) ? new FileInfo(metricsLog).Length : 0 }).Save(Path.Combine(staging, StateFile));
        ReplaceDirectory(staging, directory);
    }

    /// <summary>
    /// The state to resume from. <see cref="ReplaceDirectory"/> renames checkpoint/ to checkpoint.old/ and then
    /// checkpoint.partial/ to checkpoint/: a run killed between the two leaves no checkpoint/, but a complete
    /// checkpoint.partial/ (newer) or checkpoint.old/. The complete one is moved back into place.
    /// </summary>
    private RunState ResumeState(string checkpointDir)
    {
        var staging = checkpointDir + ".partial";
        var old = checkpointDir + ".old";
        if (Directory.Exists(checkpointDir))
        {
            var state = CompleteState(checkpointDir, out var missing)
                        ?? throw new InvalidDataException($"{checkpointDir} is incomplete ({missing}): remove it to start over without --resume.");
            Notices?.Report(FormattableString.Invariant($"resuming from {checkpointDir} at step {state.GlobalStep}"));
            return state;
        }
        foreach (var candidate in new[] { staging, old })
        {
            if (!Directory.Exists(candidate) || CompleteState(candidate, out _) is not { } state) continue;
            Directory.Move(candidate, checkpointDir);
            foreach (var other in new[] { staging, old }) if (Directory.Exists(other)) Directory.Delete(other, true);
            Notices?.Report(FormattableString.Invariant(
                $"{checkpointDir} is missing but {Path.GetFileName(candidate)} is complete (a run was stopped while replacing its checkpoint): recovered it, resuming at step {state.GlobalStep}"));
            return state;
        }
        Notices?.Report($"--resume: no checkpoint to resume from in {Path.GetDirectoryName(checkpointDir)} (no complete checkpoint/, checkpoint.partial/ or checkpoint.old/): starting over from step 0");
        return new RunState();
    }

    /// <summary>The state of a checkpoint directory when every file of it is there and readable (the state is written last), else null.</summary>
    private static RunState? CompleteState(string directory, out string missing)
    {
        missing = "";
        foreach (var file in new[] { CheckpointFiles.SafeTensors, "optimizer.bin", CheckpointFiles.Config, StateFile })
            if (!File.Exists(Path.Combine(directory, file)))
            {
                missing = $"no {file}";
                return null;
            }
        try
        {
            using (SafeTensorsFile.Open(Path.Combine(directory, CheckpointFiles.SafeTensors))) { }
            var state = RunState.Load(Path.Combine(directory, StateFile));
            if (state.Started) return state;
            missing = $"{StateFile} says nothing was trained";
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
        {
            missing = e.Message;
        }
        return null;
    }

    // A directory is replaced by renames only, so a crash leaves either the old complete one or the new complete one.
    private static void ReplaceDirectory(string staging, string target)
    {
        var old = target + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(target)) Directory.Move(target, old);
        Directory.Move(staging, target);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    private void PublishOutput(string weightsDir, string output, RunState state)
    {
        File.Copy(Path.Combine(weightsDir, CheckpointFiles.SafeTensors), Path.Combine(output, CheckpointFiles.SafeTensors), overwrite: true);
        _config.Save(Path.Combine(output, CheckpointFiles.Config));
        foreach (var file in new[] { "vocab.txt", "tokenizer.json" })
            if (File.Exists(Path.Combine(_tokenizerSource, file)))
                File.Copy(Path.Combine(_tokenizerSource, file), Path.Combine(output, file), overwrite: true);
        // Written explicitly, so Python's AutoTokenizer tokenizes exactly as training did.
        var s = _tokenizer.Settings;
        var tokenizerConfig = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = s.DoLowerCase, ["strip_accents"] = s.StripAccents,
            ["tokenize_chinese_chars"] = s.TokenizeChineseChars, ["model_max_length"] = _options.MaxLength,
            ["unk_token"] = s.UnkToken, ["cls_token"] = s.ClsToken, ["sep_token"] = s.SepToken, ["pad_token"] = s.PadToken, ["mask_token"] = s.MaskToken,
        };
        AtomicFile.WriteAllText(Path.Combine(output, "tokenizer_config.json"), tokenizerConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        new LahjaSettings
        {
            Threshold = _options.Threshold,
            Provenance = FormattableString.Invariant(
                $"lahja train: {_options.Curriculum} curriculum, {state.GlobalStep} steps, lr {_options.LearningRate}, batch {_options.BatchSize}, seed {_options.Seed}, preprocessing {_options.Preprocessing}")
                + (double.IsNegativeInfinity(state.BestMetric) ? "" : FormattableString.Invariant($", best dev metric {state.BestMetric:0.00}")),
        }.Save(output);
    }

    private static void AppendLine(string path, object record) =>
        File.AppendAllText(path, JsonSerializer.Serialize(record) + "\n");

    private static long Mix(params int[] parts)
    {
        unchecked
        {
            long h = 17;
            foreach (var p in parts) h = h * 1_000_003 + p;
            return h & long.MaxValue;
        }
    }

    private sealed record RunState
    {
        public bool Started { get; init; }
        public int Stage { get; init; }
        public int Epoch { get; init; }
        public int StepInEpoch { get; init; }
        public int GlobalStep { get; set; }
        public double BestMetric { get; init; } = double.NegativeInfinity;
        public int SinceBest { get; init; }
        public bool Stopped { get; init; }
        public long? MetricsBytes { get; init; }

        public static RunState Load(string path) => JsonSerializer.Deserialize<RunState>(File.ReadAllText(path), JsonOptions)
                                                   ?? throw new InvalidDataException($"{path}: empty trainer state.");

        public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

        private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    }

    private sealed class StepReporter(IProgress<TrainingProgress>? progress, string stage, int totalSteps)
    {
        private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
        private double _loss;
        private int _steps;
        private int _examples;

        public void Step(int step, double loss, int examples)
        {
            _loss += loss;
            _steps++;
            _examples += examples;
            if (progress is null || (_watch.Elapsed.TotalSeconds < 5 && step < totalSteps)) return;
            progress.Report(new TrainingProgress(stage, step, totalSteps, _loss / _steps, _examples / _watch.Elapsed.TotalSeconds));
            _watch.Restart();
            _loss = 0;
            _steps = 0;
            _examples = 0;
        }
    }
}

/// <summary>A dev set: texts with multi-label or single-label gold.</summary>
/// <param name="Texts">The texts.</param>
/// <param name="MultiLabel">Multi-label gold, or null.</param>
/// <param name="SingleLabel">Single-label gold, or null.</param>
public sealed record DevSet(IReadOnlyList<string> Texts, IReadOnlyList<bool?[]>? MultiLabel, IReadOnlyList<Dialect>? SingleLabel)
{
    /// <summary>From a labelled dataset.</summary>
    public static DevSet From(Lahja.Data.LabeledDataset data) => new(data.Texts, data.MultiLabel, data.SingleLabel);
}
