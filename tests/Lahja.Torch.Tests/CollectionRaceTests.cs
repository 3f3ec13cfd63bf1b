using Lahja.Checkpoints;
using Lahja.Text;
using static TorchSharp.torch;

namespace Lahja.Torch.Tests;

/// <summary>
/// Forward and backward passes while another thread collects: TorchSharp finalizes a temporary <c>Scalar</c> (an
/// implicit conversion such as <c>tensor.add_(other)</c>'s alpha of 1) as soon as nothing managed holds it, which can
/// be while libtorch is still reading it. A service on the torch engine collects on other threads all the time.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class CollectionRaceTests
{
    private const int Passes = 3000;

    [Fact]
    public void Inference_passes_give_the_same_probabilities_while_another_thread_collects()
    {
        var directory = ModelFixtures.Checkpoint("f32");
        using var engine = TorchDialectEngine.Load(directory, BertConfig.Load(Path.Combine(directory, CheckpointFiles.Config)));
        var tokenizer = BertTokenizer.FromDirectory(directory);
        var batch = tokenizer.Pad([tokenizer.Encode("شلونك حبيبي", 16), tokenizer.Encode("كيفك", 16), tokenizer.Encode("شو عم تعمل هلق", 16)]);
        var expected = engine.PredictProbabilities(batch);
        WhileCollecting(() =>
        {
            for (var pass = 0; pass < Passes; pass++)
                Assert.Equal(expected, engine.PredictProbabilities(batch));
        });
    }

    [Fact]
    public void Training_passes_give_the_same_loss_and_gradients_while_another_thread_collects()
    {
        var directory = ModelFixtures.Checkpoint("f32");
        var config = BertConfig.Load(Path.Combine(directory, CheckpointFiles.Config));
        using var model = new BertForSequenceClassification(config, config.NumLabels);
        model.InitializeWeights(_ => true);
        model.eval(); // no dropout: every pass computes the same values
        var tokenizer = BertTokenizer.FromDirectory(directory);
        var batch = tokenizer.Pad([tokenizer.Encode("شلونك حبيبي", 16), tokenizer.Encode("كيفك", 16)]);
        float[][] targets = [Enumerable.Range(0, config.NumLabels).Select(i => i % 3 == 0 ? 1f : 0.25f).ToArray(), new float[config.NumLabels]];
        var (expectedLoss, expectedGradient) = LossAndGradient(model, batch, targets);
        WhileCollecting(() =>
        {
            for (var pass = 0; pass < Passes / 3; pass++)
            {
                var (loss, gradient) = LossAndGradient(model, batch, targets);
                Assert.Equal(expectedLoss, loss);
                Assert.Equal(expectedGradient, gradient);
            }
        });
    }

    private static (float Loss, float[] Gradient) LossAndGradient(BertForSequenceClassification model, TokenizedBatch batch, float[][] targets)
    {
        using var scope = NewDisposeScope();
        model.zero_grad();
        var loss = model.MultiLabelLoss(batch, targets, positiveWeight: 2f, CPU);
        loss.backward();
        var gradient = model.parameters().First().grad!.data<float>().ToArray();
        return (loss.item<float>(), gradient);
    }

    private static void WhileCollecting(Action passes)
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { GC.Collect(0); GC.WaitForPendingFinalizers(); }
        }, TestContext.Current.CancellationToken);
        try
        {
            passes();
        }
        finally
        {
            stop.Cancel();
            collector.Wait(TestContext.Current.CancellationToken);
        }
    }
}
