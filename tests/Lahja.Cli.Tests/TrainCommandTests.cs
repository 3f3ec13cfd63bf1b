using System.Text.Json;

namespace Lahja.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-train-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Corpus() => Write("train.jsonl", string.Join("\n", Enumerable.Range(0, 40).Select(i =>
        JsonSerializer.Serialize(new { text = $"كلمة{i % 7} نص{i % 5} مرحبا", dialects = i % 3 == 0 ? new[] { "Egypt" } : new[] { "Egypt", "Sudan" } }))) + "\n");

    [Fact]
    public void Plan_prints_stage_compositions()
    {
        var (code, output, error) = CliRunner.Run("", "train", "--train", Corpus(), "--plan", "--curriculum", "cardinality-stages", "--epochs", "2");
        Assert.True(code == 0, error);
        using var plan = JsonDocument.Parse(output);
        var stages = plan.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["stage 1", "stage 2"], stages.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(14, stages[0].GetProperty("rows").GetInt32());
        // Stage 2: its 26 rows; 26 // 18 = 1 single-dialect row per country that has any (only Egypt here).
        Assert.Equal(26, stages[1].GetProperty("by_cardinality").GetProperty("2").GetInt32());
        Assert.Equal(1, stages[1].GetProperty("by_cardinality").GetProperty("1").GetInt32());
    }

    [Fact]
    public void Vocab_then_train_from_scratch_writes_a_loadable_checkpoint()
    {
        var corpus = Corpus();
        var vocab = Path.Combine(_work, "vocab");
        var (code, _, error) = CliRunner.Run("", "vocab", "-i", corpus, "--size", "120", "-o", vocab, "--preprocess", "none", "--min-frequency", "1");
        Assert.True(code == 0, error);
        var output = Path.Combine(_work, "model");
        (code, var stdout, error) = CliRunner.Run("", "train", "--train", corpus, "--dev", corpus, "--vocab", vocab, "--layers", "1", "--hidden", "16",
            "--heads", "2", "--epochs", "2", "--batch-size", "8", "--lr", "1e-3", "--warmup", "0", "--preprocess", "none", "-o", output);
        Assert.True(code == 0, error);
        Assert.Contains("dev after", error);
        foreach (var png in new[] { "loss.png", "dev_metric.png" })
        {
            using var bitmap = SkiaSharp.SKBitmap.Decode(Path.Combine(output, png));
            Assert.NotNull(bitmap);
        }
        (code, stdout, error) = CliRunner.Run("", "predict", "-m", output, "--preprocess", "none", "-f", "jsonl", "مرحبا");
        Assert.True(code == 0, error);
        Assert.Contains("\"probabilities\"", stdout);
        Assert.Equal(2, CliRunner.Run("", "train", "--train", corpus, "-o", output).ExitCode); // neither --init nor --vocab
    }

    [Fact]
    public void Pretrain_then_fine_tune_from_the_pretrained_encoder()
    {
        var corpus = Corpus();
        var plain = Write("plain.txt", "مرحبا نص1 كلمة2\n\nنص3 مرحبا\n");
        var vocab = Path.Combine(_work, "vocab");
        var (code, _, error) = CliRunner.Run("", "vocab", "-i", corpus, "--size", "120", "-o", vocab, "--preprocess", "none", "--min-frequency", "1");
        Assert.True(code == 0, error);
        var pretrained = Path.Combine(_work, "pretrained");
        (code, var stdout, error) = CliRunner.Run("", "pretrain", "-i", corpus, plain, "--vocab", vocab, "--layers", "1", "--hidden", "16", "--heads", "2",
            "--epochs", "2", "--batch-size", "8", "--lr", "1e-3", "--warmup", "0", "--preprocess", "none", "--holdout", "4", "-o", pretrained);
        Assert.True(code == 0, error);
        Assert.Contains("40 texts from train.jsonl", error);
        Assert.Contains("2 texts from plain.txt", error); // the empty line is not a text
        Assert.Contains("held-out after epoch 2: masked-token loss", error);
        Assert.Equal(pretrained, stdout.Trim());
        Assert.Contains("BertForMaskedLM", File.ReadAllText(Path.Combine(pretrained, "config.json")));
        var output = Path.Combine(_work, "model");
        (code, _, error) = CliRunner.Run("", "train", "--train", corpus, "--init", pretrained, "--epochs", "1", "--batch-size", "8", "--warmup", "0",
            "--preprocess", "none", "-o", output);
        Assert.True(code == 0, error);
        (code, stdout, error) = CliRunner.Run("", "predict", "-m", output, "--preprocess", "none", "-f", "jsonl", "مرحبا");
        Assert.True(code == 0, error);
        Assert.Contains("\"probabilities\"", stdout);
    }

    [Fact]
    public void Pretrain_with_a_vocabulary_without_a_mask_token_says_so()
    {
        var vocab = Path.Combine(_work, "no-mask");
        Directory.CreateDirectory(vocab);
        File.WriteAllText(Path.Combine(vocab, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nمرحبا\n");
        var output = Path.Combine(_work, "p");
        var (code, _, error) = CliRunner.Run("", "pretrain", "-i", Corpus(), "--vocab", vocab, "--layers", "1", "--hidden", "16", "--heads", "2", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("no mask token ([MASK])", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(output));
        Assert.False(Directory.Exists(output + ".partial"));
    }

    [Theory]
    [InlineData("pretrain -i {corpus} -o {out}")] // neither --vocab nor --init
    [InlineData("pretrain -i {corpus} -o {out} --vocab {out} --init {out}")]
    [InlineData("pretrain -i {corpus} -o {out} --vocab {out} --mask-probability 0")]
    [InlineData("pretrain -i {corpus} -o {out} --vocab {out} --mask-probability 1.5")]
    [InlineData("pretrain -i {corpus} -o {out} --vocab {out} --max-length 2")]
    [InlineData("pretrain -i {corpus} -o {out} --init {checkpoint} --layers 2")] // a checkpoint's architecture is its config's
    [InlineData("train --train {corpus} -o {out} --init {checkpoint} --hidden 64 --initializer-range 0.08")]
    [InlineData("train --train {corpus} -o {out} --init {checkpoint} --vocab {checkpoint}")]
    public void Pretrain_usage_errors_exit_2_before_any_work(string arguments)
    {
        var checkpoint = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
        var args = arguments.Replace("{corpus}", Corpus()).Replace("{out}", Path.Combine(_work, "p")).Replace("{checkpoint}", checkpoint).Split(' ');
        var (code, _, error) = CliRunner.Run("", args);
        Assert.True(code == 2, error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Path.Combine(_work, "p")));
    }
}

public sealed class TrainPlanOnNadiTests : IDisposable
{
    // Label cardinality of B2BERT's teacher labels (shared/docs/B2BERT.md): cardinality -> rows.
    private static readonly Dictionary<int, int> B2BertCardinalities = new()
    {
        [1] = 14829, [2] = 3220, [3] = 2329, [4] = 2580, [5] = 1416, [6] = 1709, [7] = 1794, [8] = 1108, [9] = 536, [10] = 168,
        [11] = 137, [12] = 334, [13] = 273, [14] = 256, [15] = 532, [16] = 11, [17] = 26, [18] = 502,
    };

    private readonly string _work = Directory.CreateTempSubdirectory("lahja-plan-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    [Fact]
    public void Staged_plan_on_a_teacher_label_file_has_the_stage_sizes_B2BERT_md_implies()
    {
        var train = Path.GetFullPath(Path.Combine(CliRunner.RepositoryRoot, "..", "shared", "data", "nadi", "train"));
        Assert.SkipUnless(Directory.Exists(train), "../shared/data is absent: the label file points into the NADI training files.");
        // A label file in the authors' layout with exactly B2BERT.md's cardinalities, over real NADI rows.
        var ids = new List<(string Source, string Id)>();
        foreach (var (source, file) in new[] { ("NADI2020", "NADI2020-TWT.tsv"), ("NADI2021", "NADI2021-TWT.tsv"), ("NADI2023", "NADI2023_TWT.tsv") })
            ids.AddRange(File.ReadLines(Path.Combine(train, file)).Skip(1).Select(l => (source, l.Split('\t')[0])));
        var random = new Random(7);
        var rows = new List<string> { "id,aldi_score," + string.Join(',', Dialects.Table.Select(d => d.Label)) + ",train_id,nadi_source" };
        var next = 0;
        foreach (var (k, count) in B2BertCardinalities)
            for (var i = 0; i < count; i++, next++)
            {
                var chosen = Enumerable.Range(0, 18).OrderBy(_ => random.Next()).Take(k).ToHashSet();
                if (k == 1) chosen = [next % 18]; // every country has single-dialect rows to replay
                rows.Add($"{next},0.5,{string.Join(',', Enumerable.Range(0, 18).Select(d => chosen.Contains(d) ? "1" : "0"))},{ids[next].Id},{ids[next].Source}");
            }
        var labels = Path.Combine(_work, "teacher_labels.csv");
        File.WriteAllLines(labels, rows);

        var (code, output, error) = CliRunner.Run("", "train", "--train", labels, "--nadi-train", train, "--plan", "--curriculum", "cardinality-stages", "--epochs", "1");
        Assert.True(code == 0, error);
        using var plan = System.Text.Json.JsonDocument.Parse(output);
        var stages = plan.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("rows").GetInt32());
        int N(int k) => k == 18 ? B2BertCardinalities[16] + B2BertCardinalities[17] + B2BertCardinalities[18] : B2BertCardinalities[k];
        foreach (var k in Enumerable.Range(1, 15).Append(18))
        {
            var n = N(k);
            var expected = n + (k > 1 ? 18 * (n / 18) : 0) + Enumerable.Range(2, Math.Max(0, Math.Min(k, 16) - 2)).Sum(j => Math.Min(N(j), n));
            Assert.Equal(expected, stages[$"stage {k}"]);
        }
        Assert.Equal(16, stages.Count);
    }
}
