using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja.Torch.Tests;

/// <summary>Which thread the TorchSharp engine's forward passes run on (libtorch keeps an OpenMP team per calling thread).</summary>
public sealed class EngineThreadTests
{
    private static (TorchDialectEngine Engine, TokenizedBatch Batch) Load()
    {
        var directory = ModelFixtures.Checkpoint("f32");
        var engine = TorchDialectEngine.Load(directory, BertConfig.Load(Path.Combine(directory, CheckpointFiles.Config)));
        var tokenizer = BertTokenizer.FromDirectory(directory);
        return (engine, tokenizer.Pad([tokenizer.Encode("شلونك حبيبي", 16), tokenizer.Encode("كيفك", 16)]));
    }

    /// <summary>Runs <paramref name="action"/> on a new thread (not the thread pool's), as a program's main thread would.</summary>
    private static void OnThreadOfItsOwn(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("The thread failed.", failure);
    }

    [Fact]
    public void A_single_caller_on_a_thread_of_its_own_runs_its_passes_inline_and_a_second_caller_moves_them_to_the_engines_thread()
    {
        var (engine, batch) = Load();
        using (engine)
        {
            float[]? inline = null;
            Thread? caller = null, ranOn = null;
            OnThreadOfItsOwn(() =>
            {
                caller = Thread.CurrentThread;
                inline = engine.PredictProbabilities(batch);
                engine.PredictProbabilities(batch);
                ranOn = engine.ForwardThread;
            });
            Assert.Same(caller, ranOn);

            float[]? moved = null;
            OnThreadOfItsOwn(() => moved = engine.PredictProbabilities(batch));
            Assert.Equal("lahja-torch", engine.ForwardThread?.Name);
            Assert.Equal(inline, moved);
        }
    }

    [Fact]
    public async Task A_thread_pool_caller_is_never_adopted()
    {
        var (engine, batch) = Load();
        using (engine)
        {
            await Task.Run(() => engine.PredictProbabilities(batch), TestContext.Current.CancellationToken);
            Assert.Equal("lahja-torch", engine.ForwardThread?.Name);
        }
    }
}
