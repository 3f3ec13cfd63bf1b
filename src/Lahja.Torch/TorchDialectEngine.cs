using System.Collections.Concurrent;
using TorchSharp;
using Lahja.Checkpoints;
using Lahja.Text;
using static TorchSharp.torch;

namespace Lahja.Torch;

/// <summary>
/// Runs a <see cref="BertForSequenceClassification"/> in inference mode on the CPU or a CUDA device
/// (<see cref="TorchRuntime.ResolveDevice"/>: <c>$LAHJA_DEVICE</c>, default auto). Calls are serialised and every
/// forward pass runs on one thread of the engine's own.
/// </summary>
/// <remarks>
/// Why a thread of its own: libtorch's OpenMP keeps a team of worker threads per calling thread, so passes called
/// from whichever thread-pool thread an async caller resumes on (the HTTP service's batcher,
/// <see cref="DialectIdentifier.PredictAsync"/>) each wake another team, and the idle teams' spinning threads take
/// the cores from the working one: bench/Lahja.ServerBench measured BERT-base at about 0.8 of the speed of passes
/// called from one thread.
/// </remarks>
public sealed class TorchDialectEngine : IDialectEngine
{
    private readonly BertForSequenceClassification _model;
    private readonly Lock _gate = new();
    private readonly Device _device;
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    /// <summary>Wraps a loaded model, moving it to <paramref name="device"/> (default: <see cref="TorchRuntime.ResolveDevice"/>).</summary>
    public TorchDialectEngine(BertForSequenceClassification model, Device? device = null)
    {
        _device = device ?? TorchRuntime.ResolveDevice();
        _model = model;
        _model.to(_device);
        _model.eval();
        _thread = new Thread(() =>
        {
            foreach (var item in _work.GetConsumingEnumerable()) item();
        }) { IsBackground = true, Name = "lahja-torch" };
        _thread.Start();
    }

    /// <summary>The device the model runs on.</summary>
    public string Device => _device.ToString();

    /// <inheritdoc />
    public int NumLabels => _model.NumLabels;

    /// <summary>Loads <paramref name="directory"/>'s weights for <paramref name="config"/>.</summary>
    public static TorchDialectEngine Load(string directory, BertConfig config, int? threads = null)
    {
        if (threads is { } n) TorchRuntime.SetThreads(n);
        using var tensors = TorchCheckpoint.OpenTensors(directory);
        return new TorchDialectEngine(TorchCheckpoint.Load(config, config.NumLabels, tensors, directory));
    }

    /// <inheritdoc />
    public float[] PredictProbabilities(TokenizedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return [];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_work.IsAddingCompleted, this);
            float[]? result = null;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
            using var done = new ManualResetEventSlim();
            _work.Add(() =>
            {
                try
                {
                    result = Forward(batch);
                }
                catch (Exception e)
                {
                    failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    done.Set();
                }
            });
            done.Wait();
            failure?.Throw();
            return result!;
        }
    }

    private float[] Forward(TokenizedBatch batch)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        return _model.forward(batch, _device).sigmoid().cpu().data<float>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_work.IsAddingCompleted)
            {
                _work.CompleteAdding();
                _thread.Join();
            }
            _model.Dispose();
        }
    }
}
