using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja;

/// <summary>
/// Runs a BERT sequence classifier on padded batches. Implementations: Lahja.Onnx's ONNX Runtime engine and Lahja.Torch's
/// TorchSharp engine.
/// Implementations must be safe to call from several threads.
/// </summary>
public interface IDialectEngine : IDisposable
{
    /// <summary>Number of classifier outputs.</summary>
    int NumLabels { get; }

    /// <summary>Sigmoid probabilities, row-major <c>[batch.Count, NumLabels]</c>, in the checkpoint's output order.</summary>
    float[] PredictProbabilities(TokenizedBatch batch);
}

/// <summary>
/// Creates engines for checkpoint directories. The program that composes Lahja (the CLI, a server host) passes one
/// in <see cref="DialectIdentifierOptions.Engine"/>: the core names no engine, so nothing is found by reflection and
/// a trimmed publish keeps what it uses. Implementations: Lahja.Onnx's <c>OnnxEngineFactory</c>, Lahja.Torch's
/// <c>TorchEngineFactory</c>.
/// </summary>
public interface IDialectEngineFactory
{
    /// <summary>A short name for messages and <c>/v1/model</c> (for example <c>onnx-int8</c>, <c>torch</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Whether <paramref name="modelDirectory"/> holds something this engine loads (weights it reads); a cheap check
    /// of file names, before the work of <see cref="Create"/>.
    /// </summary>
    bool CanLoad(string modelDirectory);

    /// <summary>Loads the checkpoint in <paramref name="modelDirectory"/> (config already parsed) into a ready engine.</summary>
    IDialectEngine Create(string modelDirectory, BertConfig config, int? threads);
}
