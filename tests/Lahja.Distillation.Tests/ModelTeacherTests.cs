using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja.Distillation.Tests;

public sealed class ModelTeacherTests
{
    private static string Checkpoint => Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    [Fact]
    public void Version_is_the_weights_fingerprint_the_server_and_reports_show()
    {
        using var teacher = new ModelTeacher(DialectIdentifier.Load(Checkpoint, new DialectIdentifierOptions { Engine = new ConstantEngine() }), Checkpoint);
        var fingerprint = CheckpointFiles.WeightsSha256(Checkpoint);
        Assert.NotNull(fingerprint);
        Assert.Equal(fingerprint, teacher.Version);
    }

    /// <summary>Every output 0.5: the teacher's provenance, not its predictions, is under test.</summary>
    internal sealed class ConstantEngine : IDialectEngine, IDialectEngineFactory
    {
        public int NumLabels => 18;

        public string Name => "constant";

        public bool CanLoad(string modelDirectory) => true;

        public IDialectEngine Create(string modelDirectory, BertConfig config, int? threads) => this;

        public float[] PredictProbabilities(TokenizedBatch batch) => Enumerable.Repeat(0.5f, batch.Count * NumLabels).ToArray();

        public void Dispose()
        {
        }
    }
}
