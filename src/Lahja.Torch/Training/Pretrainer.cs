using System.Globalization;
using Lahja.Checkpoints;
using Lahja.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lahja.Torch.Training;

/// <summary>
/// Pre-trains a BERT encoder on unlabelled text with transformers' masked-language-model objective, from scratch or
/// from a checkpoint (domain-adaptive pre-training), and writes a Hugging Face <c>BertForMaskedLM</c> checkpoint
/// that <see cref="Trainer"/> fine-tunes through its initial weights. AdamW with linear warm-up and decay, clipping,
/// a held-out share of the texts scored after each epoch. Deterministic under the seed: the hold-out, the order,
/// the masks and dropout all come from it. Like <see cref="Trainer"/>, it uses libtorch's process-wide generator
/// and thread count: one run per process at a time.
/// </summary>
public sealed class Pretrainer
{
    private readonly BertConfig _config;
    private readonly BertTokenizer _tokenizer;
    private readonly string _tokenizerSource;
    private readonly string? _initialWeights;
    private readonly PretrainingOptions _options;
    private readonly int _maskId;

    /// <summary>Prepares a run. <paramref name="initialWeights"/> is a checkpoint directory to continue from, or null to start from scratch.</summary>
    /// <exception cref="ArgumentException">The tokenizer has no mask token in its vocabulary.</exception>
    public Pretrainer(BertConfig config, string tokenizerDirectory, string? initialWeights, PretrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _config = config with
        {
            HiddenDropoutProb = options.Dropout,
            AttentionProbsDropoutProb = options.Dropout,
            Architectures = ["BertForMaskedLM"],
            Id2Label = [],
            ProblemType = null,
        };
        _tokenizerSource = tokenizerDirectory;
        _tokenizer = BertTokenizer.FromDirectory(tokenizerDirectory);
        _maskId = _tokenizer.TokenToId(_tokenizer.Settings.MaskToken)
                  ?? throw new ArgumentException($"{tokenizerDirectory}: the vocabulary has no mask token ({_tokenizer.Settings.MaskToken}), which masked-language pre-training needs.", nameof(tokenizerDirectory));
        _initialWeights = initialWeights;
    }

    /// <summary>Reports steps (every few seconds).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Reports the held-out scores after each epoch.</summary>
    public IProgress<PretrainingEvaluation>? Evaluations { get; init; }

    /// <summary>
    /// Pre-trains on <paramref name="texts"/> and writes the checkpoint (weights, config, tokenizer files) to
    /// <paramref name="output"/>, replacing it only when complete: an interrupted run leaves the old one (or none).
    /// </summary>
    /// <returns>The held-out scores after each epoch (empty without a hold-out).</returns>
    /// <exception cref="ArgumentException">No text has a token to mask.</exception>
    public IReadOnlyList<PretrainingEvaluation> Train(IReadOnlyList<string> texts, string output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        TorchRuntime.EnsureInitialized();
        if (_options.Threads is { } threads) TorchRuntime.SetThreads(threads);
        var preprocessor = TextPreprocessor.FromPreset(_options.Preprocessing);
        // A text with nothing but [CLS] and [SEP] has nothing to predict.
        var encodings = texts.Select(t => _tokenizer.Encode(preprocessor.Process(t), _options.MaxLength)).Where(e => e.Count > 2).ToArray();
        if (encodings.Length == 0) throw new ArgumentException("None of the texts has a token to mask (all empty after preprocessing).", nameof(texts));
        var order = Permutation(encodings.Length, new Random(_options.Seed));
        var holdoutCount = Math.Min(_options.HoldoutTexts, encodings.Length / 10);
        var holdout = order[..holdoutCount].Select(i => encodings[i]).ToArray();
        var train = order[holdoutCount..].Select(i => encodings[i]).ToArray();
        var batchesPerEpoch = (train.Length + _options.BatchSize - 1) / _options.BatchSize;
        var schedule = new LinearWarmupSchedule(_options.LearningRate, _options.WarmupSteps, batchesPerEpoch * _options.Epochs);

        random.manual_seed(_options.Seed);
        using var model = CreateModel();
        var device = TorchRuntime.ResolveDevice(_options.Device);
        model.to(device);
        using var optimizer = Trainer.CreateOptimizer(model, _options.LearningRate, _options.WeightDecay);
        var evaluations = new List<PretrainingEvaluation>();
        var step = 0;
        for (var epoch = 0; epoch < _options.Epochs; epoch++)
        {
            var shuffled = Permutation(train.Length, new Random(unchecked((int)Trainer.Mix(_options.Seed, epoch))));
            var reporter = new StepReporter(Progress, $"epoch {epoch + 1}", schedule.TotalSteps);
            model.train();
            for (var b = 0; b < batchesPerEpoch; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                schedule.Apply(optimizer, step);
                var batch = _tokenizer.Pad(shuffled.Skip(b * _options.BatchSize).Take(_options.BatchSize).Select(i => train[i]).ToArray());
                var masked = TokenMasking.Apply(batch, _tokenizer, _maskId, _options.MaskProbability, new Random(unchecked((int)Trainer.Mix(_options.Seed, epoch, b, 1))));
                var loss = 0.0;
                // A batch of one-token texts can draw no mask: it then changes nothing.
                if (masked.Positions.Length > 0)
                {
                    using (var scope = NewDisposeScope())
                    {
                        random.manual_seed(Trainer.Mix(_options.Seed, epoch, b));
                        using var value = Loss(model, batch, masked, device);
                        value.backward();
                        loss = value.item<float>();
                    }
                    if (_options.MaxGradNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), _options.MaxGradNorm);
                    optimizer.step();
                    optimizer.zero_grad();
                }
                step++;
                reporter.Step(step, loss, batch.Count);
            }
            if (holdout.Length == 0) continue;
            var evaluation = Evaluate(model, holdout, device) with { Epoch = epoch + 1, Step = step };
            evaluations.Add(evaluation);
            Evaluations?.Report(evaluation);
        }
        Write(model, output, step, evaluations);
        return evaluations;
    }

    private BertForMaskedLM CreateModel()
    {
        if (_initialWeights is null)
        {
            var fresh = new BertForMaskedLM(_config);
            fresh.InitializeWeights(_ => true);
            return fresh;
        }
        using var tensors = TorchCheckpoint.OpenTensors(_initialWeights);
        return BertForMaskedLM.Load(_config, tensors, _initialWeights);
    }

    private static Tensor Loss(BertForMaskedLM model, TokenizedBatch batch, MaskedBatch masked, Device device)
    {
        var (ids, attention, positions, labels) = Tensors(batch, masked, device);
        return model.MaskedLanguageModelLoss(ids, attention, positions, labels);
    }

    /// <summary>A masked batch as tensors on <paramref name="device"/>; the caller's dispose scope frees them.</summary>
    private static (Tensor Ids, Tensor Attention, Tensor Positions, Tensor Labels) Tensors(TokenizedBatch batch, MaskedBatch masked, Device device)
    {
        var shape = new long[] { batch.Count, batch.SequenceLength };
        return (tensor(masked.InputIds, shape, device: device), tensor(batch.AttentionMask, shape, device: device),
            tensor(masked.Positions, device: device), tensor(masked.Labels, device: device));
    }

    /// <summary>Loss and accuracy on the held-out texts, with masks drawn from the seed alone (the same every epoch).</summary>
    private PretrainingEvaluation Evaluate(BertForMaskedLM model, TokenizedText[] holdout, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        var correct = 0L;
        var tokens = 0;
        for (var b = 0; b * _options.BatchSize < holdout.Length; b++)
        {
            using var scope = NewDisposeScope();
            var batch = _tokenizer.Pad(holdout.Skip(b * _options.BatchSize).Take(_options.BatchSize).ToArray());
            var masked = TokenMasking.Apply(batch, _tokenizer, _maskId, _options.MaskProbability, new Random(unchecked((int)Trainer.Mix(_options.Seed, -1, b))));
            if (masked.Positions.Length == 0) continue;
            var (ids, attention, positions, labels) = Tensors(batch, masked, device);
            using var chosen = model.MaskedLogits(ids, attention, positions);
            using var loss = nn.functional.cross_entropy(chosen, labels, reduction: nn.Reduction.Sum);
            using var best = chosen.argmax(1);
            using var hits = best.eq(labels);
            using var hitCount = hits.sum();
            lossSum += loss.item<float>();
            correct += hitCount.item<long>();
            tokens += masked.Positions.Length;
        }
        return new PretrainingEvaluation(0, 0, tokens == 0 ? double.NaN : lossSum / tokens, tokens == 0 ? double.NaN : correct / (double)tokens, tokens);
    }

    private void Write(BertForMaskedLM model, string output, int steps, IReadOnlyList<PretrainingEvaluation> evaluations)
    {
        var staging = output + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        SafeTensorsFile.Write(Path.Combine(staging, CheckpointFiles.SafeTensors), TorchCheckpoint.Parameters(model));
        _config.Save(Path.Combine(staging, CheckpointFiles.Config));
        TrainedModelWriter.WriteTokenizer(_tokenizer, _tokenizerSource, _options.MaxLength, staging);
        var last = evaluations.Count > 0 ? evaluations[^1] : (PretrainingEvaluation?)null;
        new LahjaSettings
        {
            Provenance = string.Create(CultureInfo.InvariantCulture,
                $"lahja pretrain: masked-language model, {steps} steps, lr {_options.LearningRate}, batch {_options.BatchSize}, mask {_options.MaskProbability}, seed {_options.Seed}, preprocessing {_options.Preprocessing}")
                + (last is { } e ? string.Create(CultureInfo.InvariantCulture, $", held-out loss {e.Loss:0.0000}, accuracy {100 * e.Accuracy:0.00} % on {e.MaskedTokens} masked tokens") : ""),
        }.Save(staging);
        var parent = Path.GetDirectoryName(Path.GetFullPath(output));
        if (!string.IsNullOrEmpty(parent)) Directory.CreateDirectory(parent);
        TrainingCheckpoints.ReplaceDirectory(staging, output);
    }

    /// <summary>Fisher–Yates over 0..n-1 with <paramref name="random"/>.</summary>
    private static int[] Permutation(int n, Random random)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
