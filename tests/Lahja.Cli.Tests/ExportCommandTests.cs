using System.Text.Json;

namespace Lahja.Cli.Tests;

/// <summary><c>lahja export</c>.</summary>
public class ExportCommandTests
{
    private static string Model => Path.Combine(CliRunner.RepositoryRoot, "models", "default");

    [Fact]
    public void Exported_int8_directory_predicts_as_the_int8_engine()
    {
        var output = Directory.CreateTempSubdirectory("lahja-export-").FullName;
        try
        {
            var (code, _, error) = CliRunner.Run("", "export", "-m", Model, "-o", output, "--precision", "int8");
            Assert.True(code == 0, error);
            foreach (var file in new[] { "model.onnx", "config.json", "vocab.txt", "lahja.json" })
                Assert.True(File.Exists(Path.Combine(output, file)), file);
            string[] texts = ["شلونك حبيبي", "إزيك يا باشا عامل ايه"];
            var fromExport = CliRunner.Run("", ["predict", "-m", output, "-f", "jsonl", .. texts]);
            var direct = CliRunner.Run("", ["predict", "-m", Model, "--precision", "int8", "-f", "jsonl", .. texts]);
            Assert.True(fromExport.ExitCode == 0, fromExport.Error);
            Assert.Equal(direct.Out, fromExport.Out);
        }
        finally
        {
            Directory.Delete(output, true);
        }
    }

    [Fact]
    public void Export_without_output_is_a_usage_error()
    {
        var (code, _, _) = CliRunner.Run("", "export", "-m", Model);
        Assert.Equal(CliApp.UsageExitCode, code);
    }
}
