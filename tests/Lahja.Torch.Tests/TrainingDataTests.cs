using System.Globalization;
using Lahja.Torch.Training;

namespace Lahja.Torch.Tests;

/// <summary>Training data is read here, beside the curriculum, without the command line.</summary>
public sealed class TrainingDataTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-training-data-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string SingleLabel(string name, params (string Text, string Country)[] rows)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllLines(path, new[] { "#1_tweet_ID\t#2_tweet_content\t#3_country_label\t#4_province_label" }
            .Concat(rows.Select((r, i) => $"T{i}\t{r.Text}\t{r.Country}\tx")));
        return path;
    }

    /// <summary>A multi-label table; with <paramref name="soft"/>, p_&lt;dialect&gt; columns of (index + 1) / 100.</summary>
    private string MultiLabel(string name, bool soft, params (string Text, Dialect[] Dialects)[] rows)
    {
        var path = Path.Combine(directory, name);
        var header = new[] { "text" }.Concat(Dialects.Table.Select(d => d.Label));
        if (soft) header = header.Concat(Dialects.Table.Select(d => "p_" + d.Label));
        File.WriteAllLines(path, new[] { string.Join('\t', header) }.Concat(rows.Select(r =>
        {
            var fields = new[] { r.Text }.Concat(Dialects.All.Select(d => r.Dialects.Contains(d) ? "1" : "0"));
            if (soft) fields = fields.Concat(Dialects.All.Select(d => ((int)d + 1) / 100.0).Select(p => p.ToString(CultureInfo.InvariantCulture)));
            return string.Join('\t', fields);
        })));
        return path;
    }

    private static bool[] Labels(params Dialect[] dialects) => Dialects.All.Select(d => dialects.Contains(d)).ToArray();

    [Fact]
    public void Single_label_rows_become_one_hot_and_multi_label_rows_keep_their_labels_in_file_order()
    {
        var single = SingleLabel("nadi.tsv", ("شلونك", "Iraq"), ("ازيك", "Egypt"), ("x", "Somalia"));
        var multi = MultiLabel("multi.tsv", soft: false, ("شو", [Dialect.Lebanon, Dialect.Syria]));
        var reported = new List<TrainingFile>();

        var data = TrainingData.Read([single, multi], fileRead: new Reporter(reported.Add));

        Assert.Equal(["شلونك", "ازيك", "شو"], data.Examples.Select(x => x.Text));
        Assert.Equal(Labels(Dialect.Iraq), data.Examples[0].Labels);
        Assert.Equal(Labels(Dialect.Egypt), data.Examples[1].Labels);
        Assert.Equal(Labels(Dialect.Lebanon, Dialect.Syria), data.Examples[2].Labels);
        Assert.All(data.Examples, x => Assert.Null(x.SoftTargets));
        Assert.Equal(reported, data.Files);
        Assert.Equal(new[] { (single, 2), (multi, 1) }, data.Files.Select(f => (f.Path, f.Examples)));
        Assert.Equal(1, data.Files[0].SkippedOutOfSet["Somalia"]);
        Assert.Equal(0, data.DuplicatesDropped);
    }

    [Fact]
    public void Soft_targets_come_from_the_probability_columns_and_a_file_without_them_is_refused()
    {
        var soft = MultiLabel("soft.tsv", soft: true, ("شو", [Dialect.Lebanon]));
        var data = TrainingData.Read([soft], new TrainingDataOptions { SoftTargets = true });
        Assert.Equal(Dialects.All.Select(d => float.Parse((((int)d + 1) / 100.0).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)), data.Examples[0].SoftTargets!);
        Assert.Equal(Labels(Dialect.Lebanon), data.Examples[0].Labels);

        var hard = SingleLabel("nadi.tsv", ("شلونك", "Iraq"));
        var error = Assert.Throws<InvalidDataException>(() => TrainingData.Read([soft, hard], new TrainingDataOptions { SoftTargets = true }));
        Assert.Contains(hard, error.Message);
        Assert.Contains("p_<dialect>", error.Message);
    }

    [Fact]
    public void Dedupe_keeps_the_first_of_each_text_and_counts_the_others()
    {
        var first = SingleLabel("a.tsv", ("شلونك", "Iraq"), ("ازيك", "Egypt"));
        var second = SingleLabel("b.tsv", ("شلونك", "Kuwait"), ("شو", "Syria"));

        var data = TrainingData.Read([first, second], new TrainingDataOptions { Dedupe = true });

        Assert.Equal(["شلونك", "ازيك", "شو"], data.Examples.Select(x => x.Text));
        Assert.Equal(Labels(Dialect.Iraq), data.Examples[0].Labels);
        Assert.Equal(1, data.DuplicatesDropped);
        Assert.Equal([2, 2], data.Files.Select(f => f.Examples));
        Assert.Equal(4, TrainingData.Read([first, second]).Examples.Count);
    }

    private sealed class Reporter(Action<TrainingFile> report) : IProgress<TrainingFile>
    {
        public void Report(TrainingFile value) => report(value);
    }
}
