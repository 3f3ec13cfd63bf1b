namespace Lahja.Jobs.Tests;

public sealed class JobSpecLengthTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    [Fact]
    public void A_job_stores_the_length_the_model_declares_unless_one_is_given()
    {
        // The tiny checkpoint, declaring that it was trained at 24 tokens.
        var model = _temp.Sub("model");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(JobsFixture.Model)) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(model, "tokenizer_config.json"), "{\"model_max_length\": 24}");

        Assert.Equal(24, JobSpec.Create("a", "tiny", model, new DialectIdentifierOptions(), 10).MaxLength);
        Assert.Equal(24, JobSpec.Create("b", "tiny", model, new DialectIdentifierOptions(), 10).Options().MaxLength);
        Assert.Equal(100, JobSpec.Create("c", "tiny", model, new DialectIdentifierOptions { MaxLength = 100 }, 10).MaxLength);
        Assert.Equal(128, JobSpec.Create("d", "tiny", JobsFixture.Model, new DialectIdentifierOptions(), 10).MaxLength);
    }

    public void Dispose() => _temp.Dispose();
}
