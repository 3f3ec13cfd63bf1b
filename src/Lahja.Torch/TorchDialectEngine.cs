using System.Collections.Concurrent;
using TorchSharp;
using Lahja.Checkpoints;
using Lahja.Text;
using static TorchSharp.torch;

namespace Lahja.Torch;

/// <summary>
/// Runs a <see cref="BertForSequenceClassification"/> in inference mode on the CPU or a CUDA device
/// (<see cref="TorchRuntime.ResolveDevice"/>: <c>$LAHJA_DEVICE</c>, default auto). Calls are serialised and every
/// forward pass runs on one thread: the first caller's when it is a thread of its own (a single-threaded program such
/// as <c>lahja predict</c> runs its passes inline, without a hop), else a thread of the engine's own, which also takes
/// over for good once a second thread calls.
/// </summary>
/// <remarks>
/// Why one thread: libtorch's OpenMP keeps a team of worker threads per calling thread, so passes called from
/// whichever thread-pool thread an async caller resumes on (the HTTP service's batcher,
/// <see cref="DialectIdentifier.PredictAsync"/>) each wake another team, and the idle teams' spinning threads take
/// the cores from the working one: bench/Lahja.ServerBench measured BERT-base at about 0.8 of the speed of passes
/// called from one thread. A thread-pool thread is never adopted, since the next call may come from another.
/// </remarks>
public sealed class TorchDialectEngine : IDialectEngine
{
    private readonly BertForSequenceClassification _model;
    private readonly Lock _gate = new();
    private readonly Device _device;
    private readonly BlockingCollection<Action> _work = [];
    private Thread? _ownThread;
    private Thread? _forwardThread;

    /// <summary>Wraps a loaded model, moving it to <paramref name="device"/> (default: <see cref="TorchRuntime.ResolveDevice"/>).</summary>
    public TorchDialectEngine(BertForSequenceClassification model, Device? device = null)
    {
        _device = device ?? TorchRuntime.ResolveDevice();
        _model = model;
        _model.to(_device);
        _model.eval();
    }

    /// <summary>The thread forward passes run on; null before the first pass.</summary>
    internal Thread? ForwardThread
    {
        get
        {
            lock (_gate) return _forwardThread;
        }
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
            var caller = Thread.CurrentThread;
            _forwardThread ??= caller.IsThreadPoolThread ? StartOwnThread() : caller;
            if (_forwardThread == caller) return Forward(batch);
            if (_ownThread is null) _forwardThread = StartOwnThread();
            return OnOwnThread(batch);
        }
    }

    private Thread StartOwnThread()
    {
        _ownThread = new Thread(() =>
        {
            foreach (var item in _work.GetConsumingEnumerable()) item();
        })
        { IsBackground = true, Name = "lahja-torch" };
        _ownThread.Start();
        return _ownThread;
    }

    private float[] OnOwnThread(TokenizedBatch batch)
    {
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
                _ownThread?.Join();
            }
            _model.Dispose();
        }
    }
}
