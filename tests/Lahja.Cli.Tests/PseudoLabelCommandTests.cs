using System.Diagnostics;
using Lahja.Data;

namespace Lahja.Cli.Tests;

public sealed class PseudoLabelCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-plcli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static Dialect[] Truth(string sentence)
    {
        var i = int.Parse(sentence.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return [(Dialect)(i % 18), (Dialect)((i * 5 + 1) % 18)];
    }

    /// <summary>A NADI-layout single-label file of <paramref name="count"/> rows; row i's gold is dialect (i + 3) mod 18.</summary>
    private string NadiFile(int count, string name = "train.tsv")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllLines(path, new[] { "#1_tweet_ID\t#2_tweet_content\t#3_country_label\t#4_province_label" }
            .Concat(Enumerable.Range(0, count).Select(i => $"TRAIN_{i}\tجملة {i} شو عم تعمل\t{((Dialect)((i + 3) % 18)).Label()}\tx")));
        return path;
    }

    private static bool[] Labels(IEnumerable<Dialect> dialects) => Dialects.All.Select(dialects.Contains).ToArray();

    [Fact]
    public async Task An_llm_teacher_labels_every_row_as_answered_plus_gold_and_a_rerun_sends_no_request()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        server.Script("جملة 4 شو عم تعمل", new Behaviour.Status(429, RetryAfterSeconds: 0), new Behaviour.Content("```json\n" + FakeChatServer.AnswerFor(Truth("جملة 4")) + "\n```"));
        var input = NadiFile(25);
        var output = Path.Combine(directory, "labels.tsv");
        var cache = Path.Combine(directory, "cache.sqlite");
        string[] args = ["pseudo-label", "-i", input, "-t", "openai:scripted", "--base-url", server.BaseUrl.ToString(), "--cache", cache, "--include-gold", "-o", output, "--price-in", "2.5", "--price-out", "10"];
        var (code, _, error) = CliRunner.Run("", args);
        Assert.True(code == 0, error);
        Assert.Contains("26 requests (1 retries)", error);
        Assert.Contains("estimated cost", error);
        Assert.Contains("label cardinality", error);
        var data = LabeledDataset.Read(output);
        Assert.Equal(25, data.Texts.Count);
        for (var i = 0; i < 25; i++)
        {
            Assert.Equal($"TRAIN_{i}", data.Ids[i]);
            Assert.Equal(Labels(Truth(data.Texts[i]).Append((Dialect)((i + 3) % 18))), data.MultiLabel![i].Select(x => x == true));
        }
        var header = File.ReadLines(output).First().Split('\t');
        Assert.Equal(["id", "source", "text"], header[..3]);
        Assert.Equal(["gold", "teacher", "prompt_version", "answer_hash"], header[21..25]);
        Assert.Equal("openai:scripted", File.ReadLines(output).Skip(1).First().Split('\t')[22]);

        var received = server.Received.Count;
        (code, _, error) = CliRunner.Run("", args);
        Assert.True(code == 0, error);
        Assert.Equal(received, server.Received.Count);
        Assert.Contains("0 requests (0 retries), 25 rows from the cache", error);

        // Ready for training.
        (code, var plan, error) = CliRunner.Run("", "train", "--train", output, "--curriculum", "cardinality-stages", "--plan");
        Assert.True(code == 0, error);
        Assert.Contains("\"rows\"", plan);
    }

    [Fact]
    public async Task Killed_mid_run_the_rerun_completes_with_exactly_one_answered_request_per_row()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s))) { HangOnRequest = 12 };
        var input = NadiFile(30);
        var output = Path.Combine(directory, "labels.tsv");
        var cache = Path.Combine(directory, "cache.sqlite");
        string[] args = ["pseudo-label", "-i", input, "-t", "openai:scripted", "--base-url", server.BaseUrl.ToString(), "--cache", cache, "-o", output, "--concurrency", "1"];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        // The CLI as built in src/ (the copy beside the tests lacks packages the test host's framework provides).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        start.ArgumentList.Add(Path.Combine(CliRunner.RepositoryRoot, "src", "Lahja.Cli", "bin", configuration, "net10.0", "Lahja.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            var childError = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var hung = await Task.WhenAny(server.HangStarted.Task, process.WaitForExitAsync(TestContext.Current.CancellationToken), Task.Delay(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken));
            Assert.True(hung == server.HangStarted.Task, process.HasExited ? await childError : "the child never reached request 12");
            process.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        Assert.Equal(11, server.Answered.Count);
        Assert.False(File.Exists(output), "no output may exist after a crash");

        var (code, _, error) = CliRunner.Run("", args);
        Assert.True(code == 0, error);
        Assert.Contains("11 rows from the cache", error);
        Assert.Equal(30, LabeledDataset.Read(output).Texts.Count);
        // Each row was answered (paid for) exactly once; the one request cut by the kill got no answer and was sent again.
        Assert.Equal(30, server.Answered.Count);
        Assert.Equal(30, server.Answered.Distinct().Count());
        Assert.Equal(31, server.Received.Count);
    }

    [Fact]
    public void The_local_teacher_trains_saves_and_is_reused_and_its_soft_targets_feed_training()
    {
        var random = new Random(3);
        string[] filler = ["كيف", "الحال", "اليوم", "على", "في", "من", "هذا"];
        var path = Path.Combine(directory, "nadi.tsv");
        File.WriteAllLines(path, new[] { "#1_tweet_ID\t#2_tweet_content\t#3_country_label\t#4_province_label" }.Concat(
            Enumerable.Range(0, 360).Select(i =>
            {
                var d = (Dialect)(i % 18);
                return $"TRAIN_{i}\t{filler[random.Next(7)]} كلمة{(int)d} {filler[random.Next(7)]} {filler[random.Next(7)]}\t{d.Label()}\tx";
            })));
        var output = Path.Combine(directory, "local.tsv");
        var teacherDir = Path.Combine(directory, "teacher");
        var (code, _, error) = CliRunner.Run("", "pseudo-label", "-i", path, "-t", "local", "--folds", "3", "--save-teacher", teacherDir, "-o", output);
        Assert.True(code == 0, error);
        Assert.Contains("top-1 accuracy", error);
        var data = LabeledDataset.Read(output);
        Assert.Equal(360, data.Probabilities!.Count);
        Assert.True(Enumerable.Range(0, 360).Count(i => data.MultiLabel![i][i % 18] == true) > 340);

        var reused = Path.Combine(directory, "reused.jsonl");
        (code, _, error) = CliRunner.Run("", "pseudo-label", "-i", path, "-t", $"local:{teacherDir}", "-o", reused, "--limit", "10");
        Assert.True(code == 0, error);
        Assert.Equal(10, File.ReadAllLines(reused).Length);

        (code, _, error) = CliRunner.Run("", "train", "--train", output, "--soft-targets", "--plan");
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run("", "train", "--train", path, "--soft-targets", "--plan");
        Assert.Equal(1, code);
        Assert.Contains("p_<dialect>", error);
    }

    [Fact]
    public void Dry_run_prints_the_versioned_prompt_with_the_original_sentence()
    {
        var input = NadiFile(5);
        var (code, output, error) = CliRunner.Run("", "pseudo-label", "-i", input, "-t", "openai:gpt-4o", "--dry-run");
        Assert.True(code == 0, error);
        Assert.Contains("b2bert-v1", output);
        Assert.Contains("Sentence: جملة 0 شو عم تعمل", output);
        Assert.Contains("Saudi_Arabia", output);
        Assert.DoesNotContain("جملة 3", output);
        Assert.Contains("openai:gpt-4o: 5 rows, 5 distinct texts", output);
    }

    [Fact]
    public async Task Rows_whose_answers_stay_empty_or_truncated_are_named_the_others_written_and_the_exit_code_is_1()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        server.Script("جملة 2 شو عم تعمل", new Behaviour.EmptyBody(), new Behaviour.TruncatedBody()); // recovers on the third attempt
        server.Script("جملة 3 شو عم تعمل", new Behaviour.TruncatedBody(), new Behaviour.EmptyBody(), new Behaviour.TruncatedBody());
        var output = Path.Combine(directory, "labels.tsv");
        var (code, _, error) = CliRunner.Run("", "pseudo-label", "-i", NadiFile(6), "-t", "openai:scripted", "--base-url", server.BaseUrl.ToString(),
            "--cache", Path.Combine(directory, "cache.sqlite"), "--max-attempts", "3", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("failed: train.tsv id TRAIN_3: the server's answer could not be read (empty or truncated body", error);
        Assert.Contains("1 of 6 rows failed", error);
        Assert.Equal(["TRAIN_0", "TRAIN_1", "TRAIN_2", "TRAIN_4", "TRAIN_5"], LabeledDataset.Read(output).Ids);
    }

    [Fact]
    public async Task Dry_run_says_how_many_rows_would_be_sent_after_the_cache_and_estimates_tokens_and_cost()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        var input = NadiFile(10);
        var cache = Path.Combine(directory, "cache.sqlite");
        string[] common = ["pseudo-label", "-i", input, "-t", "openai:scripted", "--base-url", server.BaseUrl.ToString(), "--cache", cache];
        var (code, _, error) = CliRunner.Run("", [.. common, "--limit", "4", "-o", Path.Combine(directory, "first.tsv")]);
        Assert.True(code == 0, error);
        var received = server.Received.Count;
        (code, var output, error) = CliRunner.Run("", [.. common, "--dry-run", "--price-in", "2", "--price-out", "8"]);
        Assert.True(code == 0, error);
        Assert.Equal(received, server.Received.Count);
        var rows = LabeledDataset.Read(input).Texts.Skip(4).ToList();
        var tokensIn = rows.Sum(t => Lahja.Distillation.LlmTeacher.EstimateTokens(t).Input);
        var tokensOut = rows.Count * Lahja.Distillation.LlmTeacher.AnswerTokens;
        Assert.Contains(FormattableString.Invariant($"openai:scripted: 10 rows, 10 distinct texts, 4 answered in the cache: 6 requests would be sent (before retries); estimated tokens in {tokensIn:N0}, out {tokensOut:N0}"), output);
        Assert.Contains(FormattableString.Invariant($"estimated cost {(tokensIn * 2.0 + tokensOut * 8.0) / 1e6:0.0000}"), output);
    }

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("openai:")]
    [InlineData("model:")]
    public void A_bad_teacher_spec_is_a_usage_error(string spec)
    {
        var (code, _, error) = CliRunner.Run("", "pseudo-label", "-i", NadiFile(3), "-t", spec, "-o", Path.Combine(directory, "x.tsv"));
        Assert.Equal(2, code);
        Assert.Contains("expected openai:MODEL, local, local:DIR or model:DIR_OR_HUB_ID", error);
    }
}
