using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Cli.Commands;
using Lahja.Torch.Training;

namespace Lahja.Cli.Tests;

/// <summary>train's resumption, messages and curves, and vocab's size message.</summary>
public sealed class TrainRunTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-run-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private string Corpus()
    {
        var path = Path.Combine(_work, "train.jsonl");
        File.WriteAllText(path, string.Join("\n", Enumerable.Range(0, 40).Select(i =>
            JsonSerializer.Serialize(new { text = $"كلمة{i % 7} نص{i % 5} مرحبا", dialects = i % 3 == 0 ? new[] { "Egypt" } : new[] { "Egypt", "Sudan" } }))) + "\n");
        return path;
    }

    private string Vocab(string corpus)
    {
        var vocab = Path.Combine(_work, "vocab");
        var (code, _, error) = CliRunner.Run("", "vocab", "-i", corpus, "--size", "120", "-o", vocab, "--preprocess", "none", "--min-frequency", "1");
        Assert.True(code == 0, error);
        return vocab;
    }

    private sealed class Collect<T>(List<T> into) : IProgress<T>
    {
        public void Report(T value) => into.Add(value);
    }

    [Theory]
    [InlineData("checkpoint.old")]
    [InlineData("checkpoint.partial")]
    public void Resume_recovers_the_complete_checkpoint_left_between_the_two_renames_and_logs_each_step_once(string leftOver)
    {
        var corpus = Corpus();
        var vocab = Vocab(corpus);
        var data = Lahja.Data.LabeledDataset.Read(corpus);
        var train = Enumerable.Range(0, data.Texts.Count).Select(i => new TrainingExample(data.Texts[i], data.MultiLabel![i].Select(x => x == true).ToArray())).ToList();
        var dev = DevSet.From(data);
        var config = new BertConfig
        {
            VocabSize = File.ReadAllLines(Path.Combine(vocab, "vocab.txt")).Length, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        };
        var options = new TrainingOptions { LearningRate = 1e-3, Dropout = 0, BatchSize = 8, Epochs = 3, WarmupSteps = 0, MaxLength = 32, Preprocessing = "none", Patience = null, CheckpointEverySteps = 2, Threads = 2 };
        var output = Path.Combine(_work, "model");
        using var crash = new CancellationTokenSource();
        var first = new Trainer(config, vocab, null, options) { AfterStep = step => { if (step == 7) crash.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => first.Train(train, dev, output, cancellationToken: crash.Token));
        // A kill between the two renames of a checkpoint: checkpoint/ gone, the complete one under another name,
        // and (for .old) an unfinished checkpoint.partial/ beside it.
        var checkpoint = Path.Combine(output, "checkpoint");
        Directory.Move(checkpoint, Path.Combine(output, leftOver));
        if (leftOver == "checkpoint.old")
        {
            Directory.CreateDirectory(checkpoint + ".partial");
            File.Copy(Path.Combine(output, leftOver, "config.json"), Path.Combine(checkpoint + ".partial", "config.json"));
        }

        var notices = new List<string>();
        var resumedSteps = new List<int>();
        new Trainer(config, vocab, null, options) { Notices = new Collect<string>(notices), AfterStep = resumedSteps.Add }.Train(train, dev, output, resume: true, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(notices, n => n.Contains($"{leftOver} is complete") && n.Contains("resuming at step 6"));
        Assert.Equal(7, resumedSteps[0]);
        Assert.True(Directory.Exists(checkpoint));
        Assert.False(Directory.Exists(checkpoint + ".old") || Directory.Exists(checkpoint + ".partial"));
        var logged = File.ReadLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "step").Select(e => e.GetProperty("step").GetInt32()).ToArray();
        Assert.Equal(Enumerable.Range(1, logged.Length), logged); // step 7 ran twice, but is logged once
        Assert.Equal(15, logged.Length);
    }

    [Fact]
    public void Train_names_the_dev_metric_on_its_scale_says_when_resume_starts_over_and_explains_best_and_checkpoint()
    {
        var corpus = Corpus();
        var vocab = Vocab(corpus);
        var output = Path.Combine(_work, "model");
        var (code, _, error) = CliRunner.Run("", "train", "--train", corpus, "--dev", corpus, "--vocab", vocab, "--layers", "1", "--hidden", "16",
            "--heads", "2", "--epochs", "2", "--batch-size", "8", "--lr", "1e-3", "--warmup", "0", "--preprocess", "none", "--threads", "2", "-o", output, "--resume");
        Assert.True(code == 0, error);
        Assert.Contains("--resume: no checkpoint to resume from", error);
        Assert.Contains("starting over from step 0", error);
        Assert.Matches(@"dev after [^:]+: macro F1 \d+\.\d\d out of 100", error);
        Assert.Contains("the weights of the best dev evaluation", error);
        Assert.Contains($"{Path.Combine(output, "best")}/ holds the same weights", error);
        Assert.Contains("--resume continues from", error);
        var evaluation = File.ReadLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).First(e => e.GetProperty("kind").GetString() == "evaluation");
        Assert.Equal("macro F1", evaluation.GetProperty("metric_name").GetString());
    }

    [Fact]
    public void Loss_curve_is_drawn_once_for_a_short_run_and_dev_metric_is_on_a_0_to_100_axis()
    {
        var steps = Enumerable.Range(1, 10).Select(i => ((double)i, 1.0 / i)).ToArray();
        var loss = TrainingCurves.LossPlot(steps);
        Assert.Single(loss.GetPlottables().OfType<ScottPlot.Plottables.Scatter>());
        var longRun = TrainingCurves.LossPlot(Enumerable.Range(1, 500).Select(i => ((double)i, 1.0 / i)).ToArray());
        Assert.Equal(2, longRun.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Count());

        var dev = TrainingCurves.DevPlot([(5.0, 0.5), (10.0, 0.66)], "macro F1");
        var limits = dev.Axes.GetLimits();
        Assert.Equal((0.0, 100.0), (limits.Bottom, limits.Top));
        Assert.Contains("%", dev.Axes.Left.Label.Text);
        var best = Assert.Single(dev.GetPlottables().OfType<ScottPlot.Plottables.Marker>());
        Assert.Equal((10.0, 0.66), (best.X, best.Y));
    }

    [Fact]
    public void Vocab_says_why_it_has_fewer_tokens_than_asked()
    {
        var corpus = Corpus();
        var (code, output, error) = CliRunner.Run("", "vocab", "-i", corpus, "--size", "2000", "-o", Path.Combine(_work, "vocab"), "--preprocess", "none");
        Assert.True(code == 0, error);
        var written = File.ReadAllLines(Path.Combine(_work, "vocab", "vocab.txt")).Length;
        Assert.True(written < 2000, output);
        Assert.Contains($"{written:N0} tokens, not the 2,000 asked for: the corpus has no more pieces to merge that occur at least --min-frequency 2 times", error);
        var distinct = File.ReadLines(corpus).SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!.Split(' ')).Distinct().Count();
        Assert.Contains($"of {distinct} distinct words", error);
    }
}
