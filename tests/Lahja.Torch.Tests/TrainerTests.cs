using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Torch.Training;

namespace Lahja.Torch.Tests;

/// <summary>
/// Training uses libtorch's process-wide random generator and thread pool, so these tests run alone: in parallel with
/// other torch tests, a reseed elsewhere would change initialisation and dropout and break determinism.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();
    private readonly string _tokenizer;

    public TrainerTests()
    {
        _tokenizer = _work.Sub("tokenizer");
        Directory.CreateDirectory(_tokenizer);
        File.Copy(ReferenceTools.Fixture("vocab-plain.txt"), Path.Combine(_tokenizer, "vocab.txt"));
    }

    public void Dispose() => _work.Dispose();

    internal static BertConfig TinyConfig() => new()
    {
        VocabSize = File.ReadAllLines(ReferenceTools.Fixture("vocab-plain.txt")).Length,
        HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 64,
    };

    internal static List<TrainingExample> Examples(int count, int seed)
    {
        var words = File.ReadAllLines(Path.Combine(ReferenceTools.RepositoryRoot, "src", "Lahja", "Resources", "nltk-arabic-stopwords.txt"))
            .Where(w => w.Length > 2).Distinct().ToArray();
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var text = string.Join(' ', Enumerable.Range(0, random.Next(3, 7)).Select(_ => words[random.Next(words.Length)]));
            var labels = new bool[18];
            for (var k = random.Next(1, 4); k > 0; k--) labels[random.Next(18)] = true;
            return new TrainingExample(text, labels);
        }).ToList();
    }

    internal static TrainingOptions Fast => new()
    {
        LearningRate = 3e-3, Dropout = 0, BatchSize = 16, Epochs = 60, WarmupSteps = 0, MaxLength = 32,
        Preprocessing = "none", Patience = null, Seed = 3, Threads = 2,
    };

    [Fact]
    public void Tiny_model_overfits_64_examples_and_loss_decreases()
    {
        var train = Examples(64, 1);
        var dev = new DevSet(train.Select(t => t.Text).ToArray(), train.Select(t => t.Labels.Select(x => (bool?)x).ToArray()).ToArray(), null);
        var output = _work.Sub("out");
        var evaluations = new List<EvaluationPoint>();
        var options = Fast with { Epochs = 300, LearningRate = 2e-3, BatchSize = 8 };
        // Hidden 64 reached only 97.9–98.5 on an AVX-512 VNNI CPU (its kernels round differently); 128 reaches 100 by
        // epoch 103 of 300 there.
        var config = TinyConfig() with { HiddenSize = 128, IntermediateSize = 256 };
        new Trainer(config, _tokenizer, null, options) { Evaluations = new SyncProgress<EvaluationPoint>(evaluations.Add) }.Train(train, dev, output, cancellationToken: TestContext.Current.CancellationToken);
        var steps = File.ReadLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "step").Select(e => e.GetProperty("loss").GetDouble()).ToArray();
        Assert.True(steps[^1] < steps[0] / 2, $"loss {steps[0]:0.000} -> {steps[^1]:0.000}");
        Assert.Equal(100.0, evaluations.Max(e => e.Metric), 6);
        // The output loads in Lahja and gives the same decisions, at the length it was trained at (its tokenizer_config.json).
        using var identifier = TestModels.Load(output, new DialectIdentifierOptions { Preprocessing = "none" });
        Assert.Equal(options.MaxLength, identifier.MaxLength);
        var predictions = identifier.Predict(train.Select(t => t.Text).ToArray());
        for (var i = 0; i < train.Count; i++)
            Assert.Equal(train[i].Labels.Select((x, d) => x ? d : -1).Where(d => d >= 0), predictions[i].Dialects.Select(d => (int)d.Dialect).Order());
        foreach (var file in new[] { "config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "lahja.json" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.Equal("multi_label_classification", BertConfig.Load(Path.Combine(output, "config.json")).ProblemType);
    }

    [Fact]
    public void Soft_targets_are_learned_as_probabilities_not_as_their_labels()
    {
        // Soft targets 0.3 for one dialect, 0.8 for another and 0.05 elsewhere, while the 0/1 labels say 1 everywhere:
        // trained on the soft targets, the probabilities approach them (trained on the labels they would approach 1).
        var soft = Enumerable.Range(0, 18).Select(d => d switch { 5 => 0.3f, 9 => 0.8f, _ => 0.05f }).ToArray();
        var train = Examples(16, 4).Select(t => t with { Labels = Enumerable.Repeat(true, 18).ToArray(), SoftTargets = soft }).ToList();
        var output = _work.Sub("out");
        new Trainer(TinyConfig() with { HiddenSize = 64, IntermediateSize = 128 }, _tokenizer, null, Fast with { Epochs = 40, LearningRate = 2e-3, BatchSize = 8 }).Train(train, null, output, cancellationToken: TestContext.Current.CancellationToken);
        using var identifier = TestModels.Load(output, new DialectIdentifierOptions { Preprocessing = "none", MaxLength = 32 });
        var predictions = identifier.Predict(train.Select(t => t.Text).ToArray());
        for (var i = 0; i < train.Count; i++)
        {
            Assert.InRange(predictions[i].Probabilities[5], 0.2f, 0.4f);
            Assert.InRange(predictions[i].Probabilities[9], 0.7f, 0.9f);
            Assert.InRange(predictions[i].Probabilities[0], 0.0f, 0.15f);
        }
    }

    [Fact]
    public void Saved_model_loads_in_pytorch_with_strict_keys_and_the_same_probabilities()
    {
        Assert.SkipUnless(TorchReference.Available, "Debian's python3-torch is not installed.");
        var train = Examples(32, 2);
        var output = _work.Sub("out");
        new Trainer(TinyConfig(), _tokenizer, null, Fast with { Epochs = 3 }).Train(train, null, output, cancellationToken: TestContext.Current.CancellationToken);
        // The tiny model has 64 positions: compare the parity texts that fit in 32 tokens on both sides.
        var lines = File.ReadAllLines(Path.Combine(ModelFixtures.Directory, "parity-ids.jsonl"));
        var keep = Enumerable.Range(0, lines.Length).Where(i => JsonSerializer.Deserialize<int[]>(lines[i])!.Length <= 32).ToArray();
        var idsPath = _work.Sub("ids.jsonl");
        File.WriteAllLines(idsPath, keep.Select(i => lines[i]));
        var expected = TorchReference.Predict(output, idsPath, strict: true);
        using var identifier = TestModels.Load(output, new DialectIdentifierOptions { Preprocessing = "none", MaxLength = 32 });
        var predictions = identifier.Predict(keep.Select(i => ModelFixtures.Texts[i]).ToArray());
        var worst = 0.0;
        for (var k = 0; k < keep.Length; k++)
            for (var d = 0; d < 18; d++) worst = Math.Max(worst, Math.Abs(predictions[k].Probabilities[d] - expected[k][d]));
        Assert.True(keep.Length > 100, $"only {keep.Length} texts compared");
        Assert.True(worst <= 1e-5, $"max |Δp| = {worst:E2}");
    }

    [Theory]
    [InlineData(CurriculumStrategy.None)]
    [InlineData(CurriculumStrategy.CardinalityStages)]
    public void Resuming_after_a_crash_ends_where_an_uninterrupted_run_ends(CurriculumStrategy curriculum)
    {
        var train = Examples(48, 3);
        var dev = new DevSet(train.Select(t => t.Text).ToArray(), train.Select(t => t.Labels.Select(x => (bool?)x).ToArray()).ToArray(), null);
        var options = Fast with { Epochs = 3, CheckpointEverySteps = 2, Curriculum = curriculum, Dropout = 0.1 };
        var straight = _work.Sub("straight");
        new Trainer(TinyConfig(), _tokenizer, null, options).Train(train, dev, straight, cancellationToken: TestContext.Current.CancellationToken);

        var crashed = _work.Sub("crashed");
        using var crash = new CancellationTokenSource();
        var first = new Trainer(TinyConfig(), _tokenizer, null, options) { AfterStep = step => { if (step == 5) crash.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => first.Train(train, dev, crashed, cancellationToken: crash.Token));
        Assert.False(File.Exists(Path.Combine(crashed, "model.safetensors")));
        var resumedSteps = new List<int>();
        new Trainer(TinyConfig(), _tokenizer, null, options) { AfterStep = resumedSteps.Add }.Train(train, dev, crashed, resume: true, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(resumedSteps[0] > 1, "the resumed run redid finished steps");

        using var a = TestModels.Load(straight, new DialectIdentifierOptions { Preprocessing = "none", MaxLength = 32 });
        using var b = TestModels.Load(crashed, new DialectIdentifierOptions { Preprocessing = "none", MaxLength = 32 });
        var texts = train.Select(t => t.Text).ToArray();
        var pa = a.Predict(texts);
        var pb = b.Predict(texts);
        for (var i = 0; i < texts.Length; i++)
            for (var d = 0; d < 18; d++)
                Assert.Equal(pa[i].Probabilities[d], pb[i].Probabilities[d], 1e-6);
        Assert.Equal(
            File.ReadLines(Path.Combine(straight, "metrics.jsonl")).Count(l => l.Contains("\"evaluation\"")),
            File.ReadLines(Path.Combine(crashed, "metrics.jsonl")).Count(l => l.Contains("\"evaluation\"")));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "training (process-wide torch state)";
}

/// <summary>IProgress that calls back synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
