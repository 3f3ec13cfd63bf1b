using System.Text.RegularExpressions;
using Lahja.Checkpoints;

namespace Lahja.Cli.Tests;

/// <summary>Usage errors, option names and help text agree across commands (issue 12, section 7).</summary>
public sealed class CommandLineConsistencyTests
{
    private static readonly string Model = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    [Theory]
    [InlineData("predict", "--threshold", "2")]
    [InlineData("predict", "--relative-threshold", "1.5")]
    [InlineData("predict", "--top-k", "50")]
    [InlineData("predict", "--batch-size", "0")]
    [InlineData("predict", "--max-batch-tokens", "0")]
    [InlineData("serve", "--max-batch-tokens", "-4")]
    [InlineData("predict", "--max-batch-tokens", "lots")]
    [InlineData("serve", "--max-batch-tokens", "lots")]
    [InlineData("predict", "--threads", "0")]
    [InlineData("predict", "--max-length", "1")]
    [InlineData("serve", "--threshold", "2")]
    [InlineData("serve", "--relative-threshold", "1.5")]
    [InlineData("serve", "--max-length", "1")]
    public void Settings_out_of_range_are_usage_errors_named_by_their_option(string command, string option, string value)
    {
        string[] args = command == "serve"
            ? ["serve", "-m", Model, "--urls", "http://127.0.0.1:0", option, value]
            : ["predict", "-m", Model, option, value, "شلونك"];
        var (code, output, error) = CliRunner.Run("", args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"lahja: {option} {value}: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("--batch-size", "0")]
    [InlineData("--epochs", "0")]
    [InlineData("--max-length", "1")]
    [InlineData("--accumulate", "0")]
    [InlineData("--lr", "0")]
    [InlineData("--dropout", "1.5")]
    [InlineData("--layers", "0")]
    public void Training_settings_out_of_range_are_usage_errors_named_by_their_option(string option, string value)
    {
        var work = Directory.CreateTempSubdirectory("lahja-cli-train-range-").FullName;
        try
        {
            var data = Path.Combine(work, "train.tsv");
            File.WriteAllText(data, "text\tIraq\nشلونك\t1\n");
            var (code, _, error) = CliRunner.Run("", "train", "--train", data, "--vocab", Model, "-o", Path.Combine(work, "out"), option, value);
            Assert.Equal(2, code);
            Assert.Contains($"{option} {value}: must be", error);
            Assert.DoesNotContain("   at ", error);
            Assert.False(Directory.Exists(Path.Combine(work, "out")));
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_token_budget_changes_the_passes_not_the_answers()
    {
        string[] texts = ["شلونك", "شو عم تعمل هلق يا زلمة", "والله ما بعرف شو بدي قلك عن هالموضوع الطويل كتير", "كيفك"];
        var (code, plain, _) = CliRunner.Run("", ["predict", "-m", Model, "-f", "tsv", "--threshold", "0", .. texts]);
        var (budgetCode, budgeted, error) = CliRunner.Run("", ["predict", "-m", Model, "-f", "tsv", "--threshold", "0", "--max-batch-tokens", "8", .. texts]);
        Assert.Equal((0, 0), (code, budgetCode));
        Assert.DoesNotContain("   at ", error);
        // Other padding moves probabilities by float rounding only.
        var (plainLines, budgetedLines) = (plain.Split('\n'), budgeted.Split('\n'));
        Assert.Equal(plainLines.Length, budgetedLines.Length);
        for (var line = 0; line < plainLines.Length; line++)
        {
            var (expected, actual) = (plainLines[line].Split('\t'), budgetedLines[line].Split('\t'));
            Assert.Equal(expected.Length, actual.Length);
            for (var field = 0; field < expected.Length; field++)
            {
                if (float.TryParse(expected[field], System.Globalization.CultureInfo.InvariantCulture, out var p))
                    Assert.Equal(p, float.Parse(actual[field], System.Globalization.CultureInfo.InvariantCulture), 1e-6f);
                else
                    Assert.Equal(expected[field], actual[field]);
            }
        }
    }

    [Fact]
    public void The_token_budget_defaults_to_the_librarys_and_none_lifts_it()
    {
        var (code, help, _) = CliRunner.Run("", "predict", "--help");
        Assert.Equal(0, code);
        Assert.Matches($@"--max-batch-tokens <N\|none>[^\n]*\n?[^\n]*\[default: {DialectIdentifierOptions.DefaultMaxBatchTokens}\]", help);
        var (noneCode, output, error) = CliRunner.Run("", "predict", "-m", Model, "-f", "tsv", "--max-batch-tokens", "none", "شلونك");
        Assert.Equal(0, noneCode);
        Assert.Contains("شلونك", output);
        Assert.DoesNotContain("lahja:", error);
    }

    [Fact]
    public void Max_length_beyond_the_model_names_the_option_and_the_models_limit()
    {
        var limit = CheckpointFiles.LoadConfig(Model).MaxPositionEmbeddings;
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "--max-length", (limit + 1).ToString(), "شلونك");
        Assert.Equal(2, code);
        Assert.StartsWith($"lahja: --max-length {limit + 1}: ", error);
        Assert.Contains($"limit of {limit} tokens", error);
        Assert.DoesNotContain("MaxLength", error);
    }

    [Fact]
    public void Evaluate_takes_max_length_as_predict_does()
    {
        var limit = CheckpointFiles.LoadConfig(Model).MaxPositionEmbeddings;
        var work = Directory.CreateTempSubdirectory("lahja-cli-evaluate-length-").FullName;
        try
        {
            var data = Path.Combine(work, "dev.tsv");
            File.WriteAllText(data, "text\tIraq\nشلونك\t1\n");
            var (code, _, error) = CliRunner.Run("", "evaluate", "-m", Model, "--data", data, "--max-length", "8");
            Assert.True(code == 0, error);
            (code, _, error) = CliRunner.Run("", "evaluate", "-m", Model, "--data", data, "--max-length", (limit + 1).ToString());
            Assert.Equal(2, code);
            Assert.StartsWith($"lahja: --max-length {limit + 1}: ", error);
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_bad_format_lists_the_valid_choices_in_lower_case()
    {
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "-f", "xml", "شلونك");
        Assert.Equal(2, code);
        Assert.DoesNotContain("PredictionFormat", error);
        foreach (var choice in new[] { "table", "json", "jsonl", "tsv", "nadi" }) Assert.Contains($"'{choice}'", error);

        var (_, help, _) = CliRunner.Run("", "predict", "--help");
        var formatLine = help.Split('\n').Single(l => l.Contains("--format"));
        Assert.Matches(@"<(table|json|jsonl|tsv|nadi)(\|(table|json|jsonl|tsv|nadi)){4}>", formatLine);
        // Lower-case names are accepted, as help shows them.
        var (jsonCode, json, jsonError) = CliRunner.Run("", "predict", "-m", Model, "-f", "jsonl", "شلونك");
        Assert.True(jsonCode == 0, jsonError);
        Assert.StartsWith("{", json);
    }

    [Fact]
    public void Serve_help_and_the_readme_describe_the_same_automatic_wait()
    {
        var (_, help, _) = CliRunner.Run("", "serve", "--help");
        var readme = File.ReadAllText(Path.Combine(CliRunner.RepositoryRoot, "README.md"));
        static string Flat(string text) => Regex.Replace(text, @"\s+", " ");
        const string bound = @"at most a (\w+) of the last pass's time and (\d+) ms";
        var inHelp = Regex.Match(Flat(help), bound);
        var inReadme = Regex.Match(Flat(readme), bound);
        Assert.True(inHelp.Success, "serve --help does not state the automatic wait's bound");
        Assert.True(inReadme.Success, "README does not state the automatic wait's bound");
        Assert.Equal(inReadme.Value, inHelp.Value);
        Assert.Contains("--max-wait-ms", help);
    }

    [Fact]
    public void Serve_has_a_relative_threshold_like_predict()
    {
        var (_, help, _) = CliRunner.Run("", "serve", "--help");
        Assert.Contains("--relative-threshold", help);
        // Out of range, it reaches the model's settings and is refused there as predict's is.
        var (code, _, error) = CliRunner.Run("", "serve", "-m", Model, "--urls", "http://127.0.0.1:0", "--relative-threshold", "2");
        Assert.Equal(2, code);
        Assert.Contains("must be between 0 and 1", error);
    }
}
