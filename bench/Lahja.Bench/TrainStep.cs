using System.Diagnostics;
using System.Text.Json;
using Lahja.Checkpoints;
using Lahja.Torch;
using static TorchSharp.torch;

/// <summary>Training-step throughput of Lahja's TorchSharp BERT, the same work as the reference's train-bench.</summary>
internal static class TrainStep
{
    public static void Run(string modelDirectory, int threads, int batchSize, int length, int steps)
    {
        set_num_threads(threads);
        // No dropout on either side: the reference's functional forward has none.
        var config = CheckpointFiles.LoadConfig(modelDirectory) with { HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0, ClassifierDropout = 0 };
        using var tensors = TorchCheckpoint.OpenTensors(modelDirectory);
        using var model = TorchCheckpoint.Load(config, Lahja.Dialects.Count, tensors, modelDirectory);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-4, weight_decay: 0.01);
        var generator = new Generator(1);
        using var ids = randint(5, config.VocabSize, [batchSize, length], generator: generator, dtype: ScalarType.Int64);
        using var mask = ones_like(ids);
        using var tokenTypes = zeros_like(ids);
        using var targets = (rand([batchSize, Lahja.Dialects.Count], generator: generator) < 0.2).to_type(ScalarType.Float32);
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(model.forward(ids, mask, tokenTypes), targets);
            loss.backward();
            optimizer.step();
        }
        for (var i = 0; i < 3; i++) Step();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) Step();
        watch.Stop();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            impl = "lahja (TorchSharp " + typeof(TorchSharp.torch).Assembly.GetName().Version + ")", batch = batchSize, length, steps,
            seconds = watch.Elapsed.TotalSeconds, examples_per_second = steps * batchSize / watch.Elapsed.TotalSeconds,
        }));
    }
}
