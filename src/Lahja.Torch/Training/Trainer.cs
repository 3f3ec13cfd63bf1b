using Lahja.Checkpoints;
using Lahja.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lahja.Torch.Training;

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
    private readonly BertConfig _config;
    private readonly BertTokenizer _tokenizer;
    private readonly string _tokenizerSource;
    private readonly string? _initialWeights;
    private readonly TrainingOptions _options;

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

    /// <summary>What the dev metric is, on the official scorer's 0–100 scale: macro F1, or arg-max macro F1 on single-label dev data.</summary>
    public static string MetricName(DevSet dev) => dev.MultiLabel is not null ? "macro F1" : "arg-max macro F1";

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
        var checkpoints = new TrainingCheckpoints(output, _config);
        var preprocessor = TextPreprocessor.FromPreset(_options.Preprocessing);
        TokenizedText Encode(string text) => _tokenizer.Encode(preprocessor.Process(text), _options.MaxLength);
        var encodings = train.Select(e => Encode(e.Text)).ToArray();
        var evaluator = dev is null ? null : new DevEvaluator(dev, dev.Texts.Select(Encode).ToArray(), _tokenizer, _options.Threshold);
        var plan = new TrainingPlan(Curriculum.Plan(train, _options.Curriculum, _options.Epochs, _options.Seed), _options);

        var state = resume ? checkpoints.Resume(Notices) : new TrainingState();
        random.manual_seed(_options.Seed);
        using var model = CreateModel(state.Started ? checkpoints.CheckpointDirectory : _initialWeights);
        var device = TorchRuntime.ResolveDevice(_options.Device);
        model.to(device);
        ApplyFreezing(model);
        var run = new Run(model, device, train, encodings, plan, checkpoints, MetricsLog.Open(output, state), evaluator, new EarlyStopping(_options.Patience), cancellationToken)
        {
            State = state,
        };

        AdamW? optimizer = null;
        for (var stageIndex = state.Stage; stageIndex < plan.Stages.Count && !run.State.Stopped; stageIndex++)
        {
            if (optimizer is null || plan.OptimizerPerStage)
            {
                optimizer?.Dispose();
                optimizer = CreateOptimizer(model);
                // Checked against the run's current state: at each new stage of a staged run this also loads the optimiser
                // state the previous stage's last checkpoint saved, so stages do not start quite afresh. Kept as it was:
                // this split must not change training output.
                if (run.State.Started && run.State.Stage == stageIndex) checkpoints.TryLoadOptimizer(optimizer);
            }
            TrainStage(run, stageIndex, optimizer);
        }
        optimizer?.Dispose();
        if (dev is null || !checkpoints.HasBest) checkpoints.SaveBest(model);
        new TrainedModelWriter(_config, _tokenizer, _tokenizerSource, _options).Write(checkpoints.BestDirectory, output, run.State);
    }

    /// <summary>The epochs of one stage, each followed by a dev evaluation (when there is dev data) and a checkpoint.</summary>
    private void TrainStage(Run run, int stageIndex, AdamW optimizer)
    {
        var stage = run.Plan.Stages[stageIndex];
        var schedule = run.Plan.Schedule(stageIndex);
        var stepsPerEpoch = run.Plan.StepsPerEpoch(stageIndex);
        for (var epoch = run.State.Stage == stageIndex ? run.State.Epoch : 0; epoch < stage.Epochs && !run.State.Stopped; epoch++)
        {
            var batches = run.Plan.Batches(stageIndex);
            var firstStep = run.State.Stage == stageIndex && run.State.Epoch == epoch ? run.State.StepInEpoch : 0;
            var reporter = new StepReporter(Progress, stage.Name, run.Plan.TotalSteps);
            run.Model.train();
            for (var step = firstStep; step < stepsPerEpoch; step++)
            {
                run.CancellationToken.ThrowIfCancellationRequested();
                schedule.Apply(optimizer, run.Plan.ScheduleStep(stageIndex, epoch, step));
                var (loss, examples) = AccumulateGradients(run, batches, stageIndex, epoch, step);
                if (_options.MaxGradNorm > 0)
                    nn.utils.clip_grad_norm_(run.Model.parameters().Where(p => p.requires_grad), _options.MaxGradNorm);
                optimizer.step();
                optimizer.zero_grad();
                run.State.GlobalStep++;
                var meanLoss = loss / Math.Max(1, examples);
                reporter.Step(run.State.GlobalStep, meanLoss, examples);
                AfterStep?.Invoke(run.State.GlobalStep);
                run.Log.Step(stage.Name, epoch + 1, run.State.GlobalStep, meanLoss, optimizer.ParamGroups.First().LearningRate);
                if (_options.CheckpointEverySteps > 0 && run.State.GlobalStep % _options.CheckpointEverySteps == 0)
                {
                    run.State = run.State with { Started = true, Stage = stageIndex, Epoch = epoch, StepInEpoch = step + 1 };
                    SaveCheckpoint(run, optimizer);
                }
            }
            run.State = epoch + 1 < stage.Epochs ? run.State with { Started = true, Stage = stageIndex, Epoch = epoch + 1, StepInEpoch = 0 }
                                                 : run.State with { Started = true, Stage = stageIndex + 1, Epoch = 0, StepInEpoch = 0 };
            if (run.Evaluator is not null) Evaluate(run, stage, epoch);
            SaveCheckpoint(run, optimizer);
        }
    }

    /// <summary>
    /// The forward and backward passes of one optimiser step: up to <see cref="TrainingOptions.GradientAccumulation"/>
    /// batches, each loss scaled so the gradients add up to the mean's. Returns the summed loss and the examples seen.
    /// </summary>
    private (double Loss, int Examples) AccumulateGradients(Run run, int[][] batches, int stageIndex, int epoch, int step)
    {
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
            var value = run.Model.MultiLabelLoss(_tokenizer.Pad(batch.Select(i => run.Encodings[i]).ToArray()),
                batch.Select(i => run.Examples[i].LossTarget).ToArray(), _options.PositiveWeight, run.Device);
            using var accumulation = _options.GradientAccumulation.ToScalar();
            using var share = value.div(accumulation);
            share.backward();
            loss += value.item<float>() * batch.Length;
            examples += batch.Length;
        }
        return (loss, examples);
    }

    /// <summary>Scores the model on dev after an epoch: keeps the best weights, counts towards early stopping, logs.</summary>
    private void Evaluate(Run run, CurriculumStage stage, int epoch)
    {
        var metric = run.Evaluator!.Evaluate(run.Model, run.Device);
        (run.State, var improved) = run.EarlyStopping.Observe(run.State, metric);
        if (improved) run.Checkpoints.SaveBest(run.Model);
        Evaluations?.Report(new EvaluationPoint($"{stage.Name}, epoch {epoch + 1}", run.State.GlobalStep, metric, improved));
        run.Log.Evaluation(stage.Name, epoch + 1, run.State.GlobalStep, metric, run.Evaluator.MetricName, improved);
        run.Model.train();
    }

    private static void SaveCheckpoint(Run run, AdamW optimizer) =>
        run.Checkpoints.Save(run.Model, optimizer, run.State with { MetricsBytes = run.Log.Length });

    private BertForSequenceClassification CreateModel(string? weights)
    {
        if (weights is null)
        {
            var fresh = new BertForSequenceClassification(_config, Dialects.Count);
            fresh.InitializeWeights(_ => true);
            return fresh;
        }
        using var tensors = TorchCheckpoint.OpenTensors(weights);
        var present = tensors.Tensors.Keys.Select(BertCheckpointLayout.Canonical).ToHashSet();
        var model = TorchCheckpoint.Load(_config, Dialects.Count, tensors, weights, headOptional: true);
        // A pre-trained encoder without a classification head: the head starts as transformers would start it.
        model.InitializeWeights(name => !present.Contains(name));
        return model;
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

    private AdamW CreateOptimizer(BertForSequenceClassification model) => CreateOptimizer(model, _options.LearningRate, _options.WeightDecay);

    /// <summary>AdamW over the trainable parameters, without weight decay on biases and LayerNorm weights.</summary>
    internal static AdamW CreateOptimizer(nn.Module model, double learningRate, double weightDecay)
    {
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        bool NoDecay(string name) => name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal);
        var groups = new[]
        {
            new AdamW.ParamGroup(trainable.Where(p => !NoDecay(p.name)).Select(p => p.parameter), learningRate, 0.9, 0.999, 1e-8, weightDecay, false, false),
            new AdamW.ParamGroup(trainable.Where(p => NoDecay(p.name)).Select(p => p.parameter), learningRate, 0.9, 0.999, 1e-8, 0, false, false),
        };
        return new ScalarSafeAdamW(groups, learningRate, 0.9, 0.999, 1e-8, weightDecay);
    }

    /// <summary>A seed from a run's seed and a position in it (stage, epoch, batch…).</summary>
    internal static long Mix(params int[] parts)
    {
        unchecked
        {
            long h = 17;
            foreach (var p in parts) h = h * 1_000_003 + p;
            return h & long.MaxValue;
        }
    }

    /// <summary>What one call of <see cref="Train"/> works with, and where it stands.</summary>
    private sealed record Run(
        BertForSequenceClassification Model, Device Device, IReadOnlyList<TrainingExample> Examples, TokenizedText[] Encodings,
        TrainingPlan Plan, TrainingCheckpoints Checkpoints, MetricsLog Log, DevEvaluator? Evaluator, EarlyStopping EarlyStopping,
        CancellationToken CancellationToken)
    {
        public required TrainingState State { get; set; }
    }
}
