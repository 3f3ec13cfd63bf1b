using System.Text.Json;

namespace Lahja.Cli.Tests;

public sealed class TokenizeCommandTests : IDisposable
{
    private readonly string _model = Directory.CreateTempSubdirectory("lahja-cli-tok-").FullName;

    public TokenizeCommandTests() =>
        File.WriteAllLines(Path.Combine(_model, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "مرحبا", "hello", "الحال", "كيف"]);

    public void Dispose() => Directory.Delete(_model, true);

    [Fact]
    public void Prints_one_json_object_per_line()
    {
        var (code, output, error) = CliRunner.Run("مرحبا Hello\n\n", "tokenize", "--model", _model);
        Assert.Equal("", error);
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal([2, 5, 6, 3], first.RootElement.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(["[CLS]", "مرحبا", "hello", "[SEP]"], first.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([1, 1, 1, 1], first.RootElement.GetProperty("attention_mask").EnumerateArray().Select(e => e.GetInt32()));
        using var empty = JsonDocument.Parse(lines[1]);
        Assert.Equal([2, 3], empty.RootElement.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Preprocess_and_max_length_apply()
    {
        var (code, output, _) = CliRunner.Run("", "tokenize", "--model", _model, "--preprocess", "b2bert", "--max-length", "3", "كيف مرحبا الحال");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output); // كيف is a stopword; الحال is truncated away
        Assert.Equal(["[CLS]", "مرحبا", "[SEP]"], doc.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData(null, 128)]
    [InlineData(5, 5)]
    [InlineData(512, 128)]
    public void Without_max_length_the_declared_length_bounds_the_default(int? declared, int expected)
    {
        if (declared is { } length) File.WriteAllText(Path.Combine(_model, "tokenizer_config.json"), $"{{\"model_max_length\": {length}}}");
        var (code, output, error) = CliRunner.Run("", "tokenize", "--model", _model, string.Join(' ', Enumerable.Repeat("مرحبا", 300)));
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(expected, doc.RootElement.GetProperty("input_ids").GetArrayLength());
    }

    [Fact]
    public void Model_has_the_short_option_m_like_the_other_commands()
    {
        var (code, output, error) = CliRunner.Run("", "tokenize", "-m", _model, "مرحبا");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(["[CLS]", "مرحبا", "[SEP]"], doc.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Do_lower_case_can_be_overridden()
    {
        var (_, output, _) = CliRunner.Run("", "tokenize", "--model", _model, "--do-lower-case", "false", "Hello");
        Assert.Contains("\"[UNK]\"", output);
    }

    [Fact]
    public void Missing_model_directory_is_a_clear_error()
    {
        var (code, output, error) = CliRunner.Run("", "tokenize", "--model", Path.Combine(_model, "missing"), "x");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("lahja: error: ", error);
        Assert.Contains("missing", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Directory_without_tokenizer_files_is_a_clear_error()
    {
        var empty = Directory.CreateTempSubdirectory("lahja-cli-empty-").FullName;
        try
        {
            var (code, _, error) = CliRunner.Run("", "tokenize", "--model", empty, "x");
            Assert.Equal(1, code);
            Assert.Contains("neither tokenizer.json nor vocab.txt", error);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void Too_small_max_length_is_rejected()
    {
        var (code, _, error) = CliRunner.Run("", "tokenize", "--model", _model, "--max-length", "1", "x");
        Assert.Equal(2, code);
        Assert.Contains("--max-length", error);
    }
}
