using Lahja.Torch.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lahja.Torch.Tests;

/// <summary>
/// The trainer's AdamW: bit for bit TorchSharp's, and it survives collections on another thread, which crash
/// TorchSharp's own step within seconds ("Expected false to be true" from c10::Scalar::toDouble).
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class ScalarSafeAdamWTests
{
    [Fact]
    public void Steps_give_the_same_weights_as_TorchSharps_AdamW_bit_for_bit()
    {
        var (ours, oursOptimizer) = Setup(seed: 7, (groups, lr, wd) => new ScalarSafeAdamW(groups, lr, 0.9, 0.999, 1e-8, wd));
        var (theirs, theirsOptimizer) = Setup(seed: 7, (groups, lr, wd) => optim.AdamW(groups, lr, 0.9, 0.999, 1e-8, wd));
        var gradients = new Generator(11);
        for (var step = 0; step < 200; step++)
        {
            for (var i = 0; i < ours.Length; i++)
            {
                var gradient = randn(ours[i].shape, generator: gradients);
                ours[i].grad = gradient.clone();
                theirs[i].grad = gradient;
            }
            // Learning rate changes between steps, as the trainer's schedule does.
            foreach (var optimizer in new[] { oursOptimizer, theirsOptimizer })
                foreach (var group in optimizer.ParamGroups) group.LearningRate = 1e-3 * (1 + step % 7) / 7;
            oursOptimizer.step();
            theirsOptimizer.step();
        }
        for (var i = 0; i < ours.Length; i++)
            Assert.Equal(theirs[i].data<float>().ToArray(), ours[i].data<float>().ToArray());
    }

    [Fact]
    public async Task Survives_collections_on_another_thread()
    {
        var (parameters, optimizer) = Setup(seed: 3, (groups, lr, wd) => new ScalarSafeAdamW(groups, lr, 0.9, 0.999, 1e-8, wd));
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        }, TestContext.Current.CancellationToken);
        try
        {
            for (var step = 0; step < 3000; step++)
            {
                foreach (var p in parameters) p.grad = ones_like(p);
                optimizer.step();
            }
        }
        finally
        {
            stop.Cancel();
            await collector;
        }
        Assert.All(parameters, p => Assert.False(p.isnan().any().item<bool>()));
    }

    private static (Parameter[] Parameters, AdamW Optimizer) Setup(int seed, Func<AdamW.ParamGroup[], double, double, AdamW> create)
    {
        var generator = new Generator((ulong)seed);
        var parameters = Enumerable.Range(0, 24).Select(i => new Parameter(randn([8, 4 + i % 5], generator: generator))).ToArray();
        // Two groups as the trainer makes them: with weight decay, and without (biases, LayerNorm).
        AdamW.ParamGroup[] groups =
        [
            new(parameters[..12], 1e-3, 0.9, 0.999, 1e-8, 0.01, false, false),
            new(parameters[12..], 1e-3, 0.9, 0.999, 1e-8, 0, false, false),
        ];
        return (parameters, create(groups, 1e-3, 0.01));
    }
}
