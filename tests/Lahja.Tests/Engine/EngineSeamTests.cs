namespace Lahja.Tests.Engine;

public sealed class EngineSeamTests
{
    private static string Checkpoint => Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    [Fact]
    public void LoadWithoutAnEngineSaysWhichPackageToAdd()
    {
        // This project references the core only: nothing may be found by reflection, the message names the package.
        var error = Assert.Throws<InvalidOperationException>(() => DialectIdentifier.Load(Checkpoint));
        Assert.Contains("Lahja.Onnx", error.Message);
        Assert.Contains(nameof(DialectIdentifierOptions.Engine), error.Message);
    }

    [Fact]
    public void AnEngineThatCannotLoadTheDirectoryIsNamedBeforeItIsCreated()
    {
        var engine = new DirectoryRefusingEngine();
        var error = Assert.Throws<FileNotFoundException>(() => DialectIdentifier.Load(Checkpoint, new DialectIdentifierOptions { Engine = engine }));
        Assert.Contains("refusing", error.Message);
        Assert.Contains(Checkpoint, error.Message);
        Assert.Equal(0, engine.Created);
    }

    private sealed class DirectoryRefusingEngine : IDialectEngineFactory
    {
        public int Created { get; private set; }

        public string Name => "refusing";

        public bool CanLoad(string modelDirectory) => false;

        public IDialectEngine Create(string modelDirectory, Lahja.Checkpoints.BertConfig config, int? threads)
        {
            Created++;
            throw new InvalidOperationException("not reached");
        }
    }
}
