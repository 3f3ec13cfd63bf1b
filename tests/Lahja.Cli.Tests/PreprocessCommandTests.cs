namespace Lahja.Cli.Tests;

public class PreprocessCommandTests
{
    [Fact]
    public void Arguments_are_preprocessed_one_line_each()
    {
        var (code, output, error) = CliRunner.Run("", "preprocess", "مرحباً يا @user كيف الحال؟ 😀", "أنا");
        Assert.Equal(0, code);
        Assert.Equal("مرحبا الحال\nانا\n", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void Standard_input_keeps_line_count_and_order_with_empty_lines()
    {
        var (code, output, _) = CliRunner.Run("hello\n\nمرحبا hello\n   \n", "preprocess");
        Assert.Equal(0, code);
        Assert.Equal("\n\nمرحبا\n\n", output);
    }

    [Fact]
    public void Preset_none_leaves_text_unchanged()
    {
        var (code, output, _) = CliRunner.Run("  x،y  \n", "preprocess", "--preset", "none");
        Assert.Equal(0, code);
        Assert.Equal("  x،y  \n", output);
    }

    [Fact]
    public void Unknown_preset_is_rejected_with_the_valid_names()
    {
        var (code, _, error) = CliRunner.Run("", "preprocess", "--preset", "camel", "x");
        Assert.NotEqual(0, code);
        Assert.Contains("b2bert", error);
        Assert.DoesNotContain("   at ", error);
    }
}
