namespace Lahja.Cli.Tests;

/// <summary>Using the bundled model without naming it says what it is, and how to get B2BERT, on standard error.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class BundledModelNoteTests
{
    [Fact]
    public void Predict_without_a_model_names_the_bundled_model_and_a_named_model_gets_no_note()
    {
        var saved = Environment.GetEnvironmentVariable(ModelLocator.ModelVariable);
        Environment.SetEnvironmentVariable(ModelLocator.ModelVariable, null);
        try
        {
            var (code, output, error) = CliRunner.Run("", "predict", "-f", "jsonl", "شو عم تعمل هلق");
            Assert.True(code == 0, error);
            var note = Assert.Single(error.Split('\n'), line => line.StartsWith("lahja: no --model given: the bundled model", StringComparison.Ordinal));
            Assert.Contains(Lahja.Checkpoints.LahjaSettings.Load(Path.Combine(CliRunner.RepositoryRoot, "models", "default"))!.Description!, note);
            Assert.Contains("--model AHAAM/B2BERT", note);

            var named = CliRunner.Run("", "predict", "-f", "jsonl", "-m", Path.Combine(CliRunner.RepositoryRoot, "models", "default"), "شو عم تعمل هلق");
            Assert.Equal(output, named.Out);
            Assert.DoesNotContain("no --model given", named.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModelLocator.ModelVariable, saved);
        }
    }
}
