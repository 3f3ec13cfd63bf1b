using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Text;
using Lahja.Torch.Training;
using static TorchSharp.torch;

namespace Lahja.Torch.Tests;

/// <summary>Masked-language pre-training: the loss against PyTorch, the masks, learning, determinism, and fine-tuning from the result.</summary>
[Collection(TrainingCollection.Name)]
public sealed class PretrainerTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();
    private readonly string _tokenizer;

    public PretrainerTests()
    {
        _tokenizer = _work.Sub("tokenizer");
        Directory.CreateDirectory(_tokenizer);
        File.Copy(ReferenceTools.Fixture("vocab-plain.txt"), Path.Combine(_tokenizer, "vocab.txt"));
    }

    public void Dispose() => _work.Dispose();

    private static PretrainingOptions Fast => new()
    {
        LearningRate = 3e-3, Dropout = 0, BatchSize = 16, Epochs = 20, WarmupSteps = 0, MaxLength = 32, HoldoutTexts = 20,
        Preprocessing = "none", Seed = 5, Threads = 2,
    };

    // The same 10 sentences over and over: a tiny model can learn to fill in their words, held-out copies included.
    private static List<string> Corpus() => TrainerTests.Examples(10, 2).Select(e => e.Text).SelectMany(t => Enumerable.Repeat(t, 20)).ToList();

    [Fact]
    public void Masked_language_model_loss_matches_pytorch()
    {
        Assert.SkipUnless(TorchReference.Available, "Debian's python3-torch is not installed.");
        var checkpoint = _work.Sub("mlm");
        TorchReference.MakeCheckpoint(checkpoint, "--mlm-head", "--seed", "5");
        // Rows as a collator would make them: some positions masked or replaced, their original ids as labels.
        var random = new Random(9);
        var rows = Enumerable.Range(0, 12).Select(_ =>
        {
            var length = random.Next(4, 30);
            var ids = new long[length];
            var labels = new long[length];
            for (var i = 0; i < length; i++)
            {
                ids[i] = i == 0 ? 2 : i == length - 1 ? 3 : random.Next(5, 2250);
                labels[i] = -100;
                if (i == 0 || i == length - 1 || (random.NextDouble() >= 0.2 && i != 1)) continue;
                labels[i] = ids[i];
                ids[i] = random.NextDouble() < 0.8 ? 4 : random.Next(2250);
            }
            return (Ids: ids, Labels: labels);
        }).ToList();
        var rowsPath = Path.Combine(_work.Path, "rows.jsonl");
        File.WriteAllLines(rowsPath, rows.Select(r => JsonSerializer.Serialize(new { ids = r.Ids, labels = r.Labels })));
        List<double> Expected(string directory) => ReferenceTools.Run(ReferenceTools.Python!, "bert_reference.py", "mlm-loss", "--model", directory, rowsPath)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();

        TorchRuntime.EnsureInitialized();
        var config = CheckpointFiles.LoadConfig(checkpoint);
        // Also a checkpoint Lahja wrote (one epoch of pre-training moves every weight): PyTorch reads the same model from it.
        var written = _work.Sub("written");
        new Pretrainer(config, checkpoint, checkpoint, Fast with { Epochs = 1, HoldoutTexts = 0 }).Train(Corpus(), written, TestContext.Current.CancellationToken);
        var before = Expected(checkpoint);
        var after = Expected(written);
        Assert.NotEqual(before[^1], after[^1]);
        Compare(checkpoint, rows, before);
        Compare(written, rows, after);
    }

    private static void Compare(string checkpoint, List<(long[] Ids, long[] Labels)> rows, List<double> expected)
    {
        var config = CheckpointFiles.LoadConfig(checkpoint);
        using var tensors = TorchCheckpoint.OpenTensors(checkpoint);
        using var model = BertForMaskedLM.Load(config, tensors, checkpoint);
        model.eval();
        double Loss(IReadOnlyList<(long[] Ids, long[] Labels)> batch)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var width = batch.Max(r => r.Ids.Length);
            var ids = batch.SelectMany(r => r.Ids.Concat(Enumerable.Repeat(0L, width - r.Ids.Length))).ToArray();
            var mask = batch.SelectMany(r => Enumerable.Repeat(1L, r.Ids.Length).Concat(Enumerable.Repeat(0L, width - r.Ids.Length))).ToArray();
            var positions = batch.SelectMany((r, b) => r.Labels.Select((l, i) => (l, i)).Where(p => p.l != -100).Select(p => (long)(b * width + p.i))).ToArray();
            var labels = batch.SelectMany(r => r.Labels.Where(l => l != -100)).ToArray();
            using var value = model.MaskedLanguageModelLoss(tensor(ids, [batch.Count, width]), tensor(mask, [batch.Count, width]), tensor(positions), tensor(labels));
            return value.item<float>();
        }
        var actual = rows.Select(r => Loss([r])).Append(Loss(rows)).ToList();
        var worst = actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second));
        TestContext.Current.TestOutputHelper?.WriteLine($"max |Δloss| = {worst:E2} over {rows.Count} rows and their batch (losses near {expected[^1]:0.00})");
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(worst <= 1e-5, $"max |Δloss| = {worst:E2}");
    }

    [Fact]
    public void Masks_follow_berts_proportions_and_spare_special_tokens()
    {
        var tokenizer = BertTokenizer.FromDirectory(_tokenizer);
        var maskId = tokenizer.TokenToId("[MASK]")!.Value;
        var texts = TrainerTests.Examples(400, 4).Select(e => tokenizer.Encode(e.Text, 32)).ToArray();
        var batch = tokenizer.Pad(texts);
        var masked = TokenMasking.Apply(batch, tokenizer, maskId, 0.15, new Random(1));
        var candidates = Enumerable.Range(0, batch.InputIds.Length)
            .Count(i => batch.AttentionMask[i] == 1 && batch.InputIds[i] != tokenizer.ClsId && batch.InputIds[i] != tokenizer.SepId);
        var share = masked.Positions.Length / (double)candidates;
        Assert.InRange(share, 0.13, 0.17);
        foreach (var p in masked.Positions)
        {
            Assert.Equal(1, batch.AttentionMask[p]);
            Assert.NotEqual(tokenizer.ClsId, batch.InputIds[p]);
            Assert.NotEqual(tokenizer.SepId, batch.InputIds[p]);
        }
        Assert.Equal(masked.Positions.Select(p => batch.InputIds[p]), masked.Labels);
        var asMask = masked.Positions.Count(p => masked.InputIds[p] == maskId) / (double)masked.Positions.Length;
        var kept = masked.Positions.Count(p => masked.InputIds[p] == batch.InputIds[p]) / (double)masked.Positions.Length;
        Assert.InRange(asMask, 0.75, 0.85);
        Assert.InRange(kept, 0.06, 0.14); // 10 % kept, plus the rare random draw of the same id
        // Only the chosen positions change.
        Assert.Equal(Enumerable.Range(0, batch.InputIds.Length).Where(i => masked.InputIds[i] != batch.InputIds[i]),
            masked.Positions.Where(p => masked.InputIds[p] != batch.InputIds[p]).Select(p => (int)p));
        Assert.Equal(masked.InputIds, TokenMasking.Apply(batch, tokenizer, maskId, 0.15, new Random(1)).InputIds);
    }

    [Fact]
    public void Pretraining_learns_is_deterministic_and_fine_tuning_starts_from_its_encoder()
    {
        var corpus = Corpus();
        var first = _work.Sub("first");
        var evaluations = new Pretrainer(TrainerTests.TinyConfig(), _tokenizer, null, Fast).Train(corpus, first, TestContext.Current.CancellationToken);
        Assert.Equal(Fast.Epochs, evaluations.Count);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", evaluations.Select(e => $"{e.Loss:0.000} ({100 * e.Accuracy:0.0} %)")));
        // ln(2250) = 7.7 for a uniform guess; the ten sentences' few words (ln 40 = 3.7) and their order bring it far below.
        Assert.True(evaluations[^1].Loss < evaluations[0].Loss / 2, $"held-out loss {evaluations[0].Loss:0.000} -> {evaluations[^1].Loss:0.000}");
        Assert.True(evaluations[^1].Accuracy > evaluations[0].Accuracy, $"held-out accuracy {evaluations[0].Accuracy:P1} -> {evaluations[^1].Accuracy:P1}");
        var config = BertConfig.Load(Path.Combine(first, CheckpointFiles.Config));
        Assert.Equal(["BertForMaskedLM"], config.Architectures);
        foreach (var file in new[] { "model.safetensors", "vocab.txt", "tokenizer_config.json", "lahja.json" })
            Assert.True(File.Exists(Path.Combine(first, file)), file);
        Assert.False(Directory.Exists(first + ".partial"));

        var second = _work.Sub("second");
        new Pretrainer(TrainerTests.TinyConfig(), _tokenizer, null, Fast).Train(corpus, second, TestContext.Current.CancellationToken);
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, CheckpointFiles.SafeTensors)), File.ReadAllBytes(Path.Combine(second, CheckpointFiles.SafeTensors)));

        // Continued pre-training loads every tensor, head included: one more epoch at a tiny rate barely moves the loss.
        var continued = new Pretrainer(config, first, first, Fast with { Epochs = 1, LearningRate = 1e-6 }).Train(corpus, _work.Sub("continued"), TestContext.Current.CancellationToken);
        Assert.InRange(continued[0].Loss, evaluations[^1].Loss - 0.05, evaluations[^1].Loss + 0.05);

        // The classifier's trainer takes the encoder and starts its pooler and head afresh.
        using (var tensors = TorchCheckpoint.OpenTensors(first))
        using (var classifier = TorchCheckpoint.Load(config, Dialects.Count, tensors, first, headOptional: true))
        {
            var stored = tensors.ReadFloat32("bert.encoder.layer.1.output.dense.weight");
            var loaded = classifier.named_parameters().Single(p => p.name == "bert.encoder.layer.1.output.dense.weight").parameter.data<float>().ToArray();
            Assert.Equal(stored, loaded);
        }
        var fineTuned = _work.Sub("fine-tuned");
        var train = TrainerTests.Examples(32, 3);
        new Trainer(config, first, first, TrainerTests.Fast with { Epochs = 1 }).Train(train, null, fineTuned, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["BertForSequenceClassification"], BertConfig.Load(Path.Combine(fineTuned, CheckpointFiles.Config)).Architectures);
    }

    [Fact]
    public void Pretraining_continues_a_dialect_classifier_from_its_encoder_ignoring_its_head()
    {
        // A fine-tuned classifier (18 labels, pooler, classifier) is a fair start for more pre-training on new text.
        var classifier = ModelFixtures.Checkpoint("f32");
        var output = _work.Sub("from-classifier");
        new Pretrainer(CheckpointFiles.LoadConfig(classifier), classifier, classifier, Fast with { Epochs = 1, LearningRate = 1e-12, HoldoutTexts = 0 })
            .Train(Corpus(), output, TestContext.Current.CancellationToken);
        using var before = TorchCheckpoint.OpenTensors(classifier);
        using var after = TorchCheckpoint.OpenTensors(output);
        const string name = "bert.encoder.layer.1.output.dense.weight";
        var worst = before.ReadFloat32(name).Zip(after.ReadFloat32(name)).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < 1e-6, $"max |Δw| = {worst:E2}");
        Assert.DoesNotContain(after.Tensors.Keys, k => k.StartsWith("classifier.", StringComparison.Ordinal) || k.Contains("pooler", StringComparison.Ordinal));
    }
}
