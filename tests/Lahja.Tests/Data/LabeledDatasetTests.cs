using Lahja.Data;

namespace Lahja.Tests.Data;

public sealed class LabeledDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lahja-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Nadi_2024_tsv_has_partial_multi_label_gold()
    {
        var d = LabeledDataset.Read(Write("dev.tsv", "sentence\tAlgeria\tEgypt\nنص \"مقتبس\tn\ty\n"));
        Assert.Equal("NADI 2024 subtask-1 TSV", d.Format);
        Assert.Equal("نص \"مقتبس", d.Texts[0]);
        Assert.Equal(false, d.MultiLabel![0][0]);
        Assert.Equal(true, d.MultiLabel[0][2]);
        Assert.Null(d.MultiLabel[0][1]);
    }

    [Theory]
    [InlineData("#1_tweet_ID\t#2_tweet_content\t#3_country_label\t#4_province_label\n")]
    [InlineData("#1_id\t#2_content\t#3_country_label\n")]
    [InlineData("#1_tweetid\t#2_tweet\t#3_country_label\t#4_province_label\n")]
    public void Nadi_single_label_variants_normalise_and_skip_out_of_set(string header)
    {
        var extra = header.Count(c => c == '\t') == 3 ? "\tp" : "";
        var d = LabeledDataset.Read(Write("train.tsv", header + $"1\tا\tUnited_Arab_Emirates{extra}\n2\tب\tMauritania{extra}\n3\tت\tSaudi_Arabia{extra}\n"));
        Assert.Equal([Dialect.Uae, Dialect.SaudiArabia], d.SingleLabel);
        Assert.Equal(["ا", "ت"], d.Texts);
        Assert.Equal(1, d.SkippedOutOfSet["Mauritania"]);
    }

    [Fact]
    public void Unknown_country_names_file_line_and_field()
    {
        var e = Assert.Throws<UnknownDialectException>(() => LabeledDataset.Read(Write("t.tsv", "#1_id\t#2_content\t#3_country_label\n1\tx\tAtlantis\n")));
        Assert.Contains("t.tsv:2, field #3_country_label", e.Message);
    }

    [Fact]
    public void Multi_label_csv_and_jsonl()
    {
        var csv = LabeledDataset.Read(Write("m.csv", "text,Egypt,Saudi Arabia\n\"a, b\",1,0\n"));
        Assert.Equal("a, b", csv.Texts[0]);
        Assert.Equal(true, csv.MultiLabel![0][(int)Dialect.Egypt]);
        Assert.Equal(false, csv.MultiLabel[0][(int)Dialect.SaudiArabia]);
        var jsonl = LabeledDataset.Read(Write("m.jsonl", "{\"text\":\"x\",\"dialects\":[\"EG\",\"Sudan\"]}\n{\"text\":\"y\",\"labels\":{\"Iraq\":1,\"Oman\":false}}\n"));
        Assert.Equal(true, jsonl.MultiLabel![0][(int)Dialect.Sudan]);
        Assert.Equal(false, jsonl.MultiLabel[0][(int)Dialect.Iraq]);
        Assert.Equal(true, jsonl.MultiLabel[1][(int)Dialect.Iraq]);
        Assert.Null(jsonl.MultiLabel[1][(int)Dialect.Egypt]);
        var single = LabeledDataset.Read(Write("s.jsonl", "{\"text\":\"x\",\"dialect\":\"Yemen\"}\n"));
        Assert.Equal([Dialect.Yemen], single.SingleLabel);
    }

    [Theory]
    [InlineData("x.tsv", "sentence\tEgypt\nا\tmaybe\n", "x.tsv:2: field Egypt is 'maybe'")]
    [InlineData("x.tsv", "sentence\tEgypt\nا\ty\tn\n", "x.tsv:2: 3 fields, the header has 2")]
    [InlineData("x.tsv", "id\tEgypt\n", "x.tsv:1: no text column")]
    [InlineData("x.jsonl", "{\"text\":\"a\"}\n", "x.jsonl:1: no \"dialects\"")]
    [InlineData("x.jsonl", "{oops\n", "x.jsonl:1: not valid JSON")]
    public void Malformed_files_name_file_line_and_field(string name, string content, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => LabeledDataset.Read(Write(name, content)));
        Assert.Contains(expected, e.Message);
    }
}

public sealed class LabeledDatasetLenientTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lahja-lenient-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Bad_rows_can_be_reported_and_skipped()
    {
        var tsv = Path.Combine(_dir, "t.tsv");
        File.WriteAllText(tsv, "#1_id\t#2_content\t#3_country_label\n1\tا\tEgypt\n2\tب\tAtlantis\n3\n4\tت\tIraq\n");
        Assert.Throws<UnknownDialectException>(() => LabeledDataset.Read(tsv));
        var d = LabeledDataset.Read(tsv, skipBadRows: true);
        Assert.Equal(["ا", "ت"], d.Texts);
        Assert.Equal(2, d.BadRows.Count);
        Assert.Contains("t.tsv:3", d.BadRows[0]);
        Assert.Contains("t.tsv:4", d.BadRows[1]);
        var jsonl = Path.Combine(_dir, "m.jsonl");
        File.WriteAllText(jsonl, "{\"text\":\"a\",\"dialects\":[\"Egypt\"]}\n{\"text\":\"b\",\"dialects\":[\"Narnia\"]}\n{bad\n{\"text\":\"c\",\"labels\":{\"Iraq\":1}}\n");
        var m = LabeledDataset.Read(jsonl, skipBadRows: true);
        Assert.Equal(["a", "c"], m.Texts);
        Assert.Equal(2, m.MultiLabel!.Count);
        Assert.Equal(2, m.BadRows.Count);
    }
}
