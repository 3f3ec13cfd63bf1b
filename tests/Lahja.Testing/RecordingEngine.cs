using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja.Testing;

/// <summary>
/// An engine without a model, for tests of what happens around the forward pass: each row's 18 outputs are a function
/// of that row's own unpadded ids (so they do not depend on which pass or padding a text got), every pass is recorded,
/// and a pass can be made to take <c>overhead + tokens × perToken</c> of sleep.
/// </summary>
public sealed class RecordingEngine(TimeSpan overhead = default, TimeSpan perToken = default) : IDialectEngine, IDialectEngineFactory
{
    private readonly Lock _gate = new();

    public string Name => "recording";

    public bool CanLoad(string modelDirectory) => true;

    /// <summary>Each pass: its row count, its padded length and each row's unpadded length.</summary>
    public List<(int Rows, int Length, int[] RowLengths)> Passes { get; } = [];

    /// <summary>Held before each pass runs, when set (lets a test fill a queue first).</summary>
    public ManualResetEventSlim? Gate { get; set; }

    public int NumLabels => 18;

    public float[] PredictProbabilities(TokenizedBatch batch)
    {
        Gate?.Wait();
        var outputs = new float[batch.Count * NumLabels];
        var rowLengths = new int[batch.Count];
        for (var row = 0; row < batch.Count; row++)
        {
            var ids = batch.Items[row].InputIds;
            rowLengths[row] = ids.Count;
            long hash = 17;
            foreach (var id in ids) hash = hash * 31 + id;
            for (var d = 0; d < NumLabels; d++) outputs[row * NumLabels + d] = (float)((hash * (d + 7) & 0xFFFF) / 65536.0);
        }
        lock (_gate) Passes.Add((batch.Count, batch.SequenceLength, rowLengths));
        var sleep = overhead + perToken * (batch.Count * batch.SequenceLength);
        if (sleep > TimeSpan.Zero) Thread.Sleep(sleep);
        return outputs;
    }

    public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads) => this;

    public void Dispose()
    {
    }

    /// <summary>An identifier over the tiny test checkpoint's config and vocabulary, running on <paramref name="engine"/>.</summary>
    public static DialectIdentifier Identifier(RecordingEngine engine, int batchSize = 32) =>
        DialectIdentifier.Load(Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32"),
            new DialectIdentifierOptions { Engine = engine, BatchSize = batchSize });
}
