using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja;

/// <summary>
/// Runs a BERT sequence classifier on padded batches. Implementations: Lahja.Torch's TorchSharp engine.
/// Implementations must be safe to call from several threads.
/// </summary>
public interface IDialectEngine : IDisposable
{
    /// <summary>Number of classifier outputs.</summary>
    int NumLabels { get; }

    /// <summary>Sigmoid probabilities, row-major <c>[batch.Count, NumLabels]</c>, in the checkpoint's output order.</summary>
    float[] PredictProbabilities(TokenizedBatch batch);
}

/// <summary>Creates engines for checkpoint directories.</summary>
public interface IDialectEngineFactory
{
    /// <summary>Loads the checkpoint in <paramref name="modelDirectory"/> (config already parsed) into a ready engine.</summary>
    IDialectEngine Create(string modelDirectory, BertConfig config, int? threads);
}
