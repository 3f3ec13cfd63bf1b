namespace Lahja.Cli.Tests;

/// <summary><c>--shard I/N</c>: N outputs concatenated in shard order are the unsharded output, byte for byte.</summary>
public sealed class ShardTests : IDisposable
{
    private static readonly string Model = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
    private static readonly string[] Words = ["شلونك", "حبيبي", "إزيك", "عامل", "ايه", "شو", "عم", "تعمل", "هلق", "واش", "راك", "كيداير"];
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-shard-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    /// <summary>Texts of varied lengths, so length-sorted batches mix texts from across a window.</summary>
    private static IEnumerable<string> Texts(int count) =>
        Enumerable.Range(0, count).Select(i => string.Join(' ', Enumerable.Range(0, 1 + i * 7 % 13).Select(j => Words[(i + j) % Words.Length])));

    private string Write(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Predict(string input, string format, string? shard, params string[] more)
    {
        string[] args = ["predict", "-m", Model, "-i", input, "-f", format, "--batch-size", "2", .. more];
        if (shard is not null) args = [.. args, "--shard", shard];
        var (code, output, error) = CliRunner.Run("", args);
        Assert.True(code == 0, error);
        return output;
    }

    private static void AssertShardsConcatenate(string input, string format, params string[] more)
    {
        var whole = Predict(input, format, null, more);
        var shards = Enumerable.Range(0, 3).Select(i => Predict(input, format, $"{i}/3", more)).ToList();
        Assert.All(shards, s => Assert.NotEqual("", s)); // 3 windows of 16 texts at least: every shard has some
        Assert.Equal(whole, string.Concat(shards));
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("tsv")]
    [InlineData("nadi")]
    public void Shards_of_a_text_file_concatenate_to_the_unsharded_output(string format)
    {
        var input = Write("texts.txt", string.Join('\n', Texts(53)) + "\n");
        AssertShardsConcatenate(input, format);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("tsv")]
    public void Shards_of_a_tsv_table_concatenate_to_the_unsharded_output(string format)
    {
        // A header line, and an empty row (skipped: it is no text) in the first shard.
        var rows = Texts(53).Select((t, i) => i == 5 ? "" : $"id{i}\t{t}\tEgypt");
        var input = Write("table.tsv", "#1_tweetid\t#2_tweet\t#3_label\n" + string.Join('\n', rows) + "\n");
        AssertShardsConcatenate(input, format, "--column", "#2_tweet");
    }

    [Fact]
    public void A_tsv_header_is_written_once_by_the_first_shard()
    {
        var input = Write("texts.txt", string.Join('\n', Texts(40)) + "\n");
        var first = Predict(input, "tsv", "0/2");
        var second = Predict(input, "tsv", "1/2");
        Assert.StartsWith("text\t", first);
        Assert.DoesNotContain("text\t", second.Split('\n')[0][..5]);
    }

    [Fact]
    public void More_shards_than_windows_leave_some_empty_and_still_concatenate()
    {
        var input = Write("few.txt", string.Join('\n', Texts(3)) + "\n");
        var whole = Predict(input, "tsv", null);
        var shards = Enumerable.Range(0, 4).Select(i => Predict(input, "tsv", $"{i}/4")).ToList();
        Assert.Contains("", shards);
        Assert.Equal(whole, string.Concat(shards));
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/3")]
    [InlineData("1/0")]
    [InlineData("a/b")]
    [InlineData("1")]
    [InlineData("1/2/3")]
    public void A_bad_shard_is_a_usage_error(string shard)
    {
        var input = Write("texts.txt", "شلونك\n");
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "-i", input, "-f", "jsonl", "--shard", shard);
        Assert.Equal(2, code);
        Assert.Contains("--shard", error);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    public void A_format_that_does_not_concatenate_is_a_usage_error(string format)
    {
        var input = Write("texts.txt", "شلونك\n");
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "-i", input, "-f", format, "--shard", "0/2");
        Assert.Equal(2, code);
        Assert.Contains("--shard needs --format", error);
    }

    [Fact]
    public void Shard_without_an_input_file_is_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run("", "predict", "-m", Model, "-f", "jsonl", "--shard", "0/2", "شلونك");
        Assert.Equal(2, code);
        Assert.Contains("--shard needs --input", error);
    }

    /// <summary>A NADI training file: header, then rows with ids, varied texts and countries.</summary>
    private string NadiFile(int count)
    {
        var rows = Texts(count).Select((t, i) => $"TRAIN_{i}\t{t}\t{((Dialect)(i % 18)).Label()}\tx");
        return Write("train.tsv", "#1_tweet_ID\t#2_tweet_content\t#3_country_label\t#4_province_label\n" + string.Join('\n', rows) + "\n");
    }

    private string PseudoLabel(string input, string output, string? shard)
    {
        string[] args = ["pseudo-label", "-i", input, "-t", $"model:{Model}", "-o", output];
        if (shard is not null) args = [.. args, "--shard", shard];
        var (code, _, error) = CliRunner.Run("", args);
        Assert.True(code == 0, error);
        return File.ReadAllText(output);
    }

    [Fact]
    public void Pseudo_label_shards_with_a_model_teacher_concatenate_to_the_unsharded_output()
    {
        // 600 rows: three windows of the model teacher, one per shard.
        var input = NadiFile(600);
        var whole = PseudoLabel(input, Path.Combine(_work, "whole.tsv"), null);
        var shards = Enumerable.Range(0, 3).Select(i => PseudoLabel(input, Path.Combine(_work, $"part{i}.tsv"), $"{i}/3")).ToList();
        Assert.All(shards, s => Assert.NotEqual("", s));
        Assert.StartsWith("id\t", shards[0]);
        Assert.Equal(whole, string.Concat(shards));
    }

    [Fact]
    public void Pseudo_label_shard_with_a_teacher_that_trains_on_the_input_or_a_bad_shard_is_a_usage_error()
    {
        var input = NadiFile(20);
        var (code, _, error) = CliRunner.Run("", "pseudo-label", "-i", input, "-t", "local", "-o", Path.Combine(_work, "x.tsv"), "--shard", "0/2");
        Assert.Equal(2, code);
        Assert.Contains("--teacher local", error);
        (code, _, error) = CliRunner.Run("", "pseudo-label", "-i", input, "-t", $"model:{Model}", "-o", Path.Combine(_work, "x.tsv"), "--shard", "2/2");
        Assert.Equal(2, code);
        Assert.Contains("--shard", error);
    }
}
