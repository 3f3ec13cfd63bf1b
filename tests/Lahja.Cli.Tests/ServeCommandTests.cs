namespace Lahja.Cli.Tests;

public class ServeCommandTests
{
    private static readonly string Model = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    [Theory]
    [InlineData("--pass-overhead-tokens", "banana", "--pass-overhead-tokens")]
    [InlineData("--pass-overhead-tokens", "-3", "--pass-overhead-tokens")]
    [InlineData("--batch-size", "0", "--batch-size")]
    public void Bad_batching_settings_are_usage_errors(string option, string value, string named)
    {
        var (exit, _, error) = CliRunner.Run("", "serve", "-m", Model, "--urls", "http://127.0.0.1:0", option, value);
        Assert.Equal(2, exit);
        Assert.Contains(named, error);
        Assert.DoesNotContain("   at ", error);
    }
}
