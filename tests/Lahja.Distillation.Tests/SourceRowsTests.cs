namespace Lahja.Distillation.Tests;

public sealed class SourceRowsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-source-rows-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void A_folder_gives_its_data_files_in_name_order_and_each_file_is_reported_as_it_is_read()
    {
        File.WriteAllText(Path.Combine(directory, "b.txt"), "أول\n\nثاني\n");
        File.WriteAllText(Path.Combine(directory, "a.tsv"),
            "#1_tweet_ID\t#2_tweet_content\t#3_country_label\t#4_province_label\nT1\tشلونك\tIraq\tx\nT2\tازيك\tEgypt\tx\nT3\thello\tSomalia\tx\n");
        File.WriteAllText(Path.Combine(directory, "notes.md"), "not data\n");
        var reported = new List<SourceFile>();

        var rows = SourceRows.Read([directory], new Reporter(reported.Add));

        Assert.Equal(["a.tsv", "a.tsv", "b.txt", "b.txt"], rows.Select(r => r.Source));
        Assert.Equal(["T1", "T2", "1", "3"], rows.Select(r => r.Id));
        Assert.Equal(new Dialect?[] { Dialect.Iraq, Dialect.Egypt, null, null }, rows.Select(r => r.Item.Gold));
        Assert.Equal(2, reported.Count);
        Assert.Equal(("a.tsv", 2, 1), (reported[0].Name, reported[0].Rows, reported[0].SkippedOutOfSet.Values.Sum()));
        Assert.NotNull(reported[0].Format);
        Assert.Equal(("b.txt", 2, (string?)null), (reported[1].Name, reported[1].Rows, reported[1].Format));
    }

    [Fact]
    public void A_missing_input_is_named()
    {
        var missing = Path.Combine(directory, "nope.tsv");
        var error = Assert.Throws<FileNotFoundException>(() => SourceRows.Read([missing]));
        Assert.Contains(missing, error.Message);
    }

    private sealed class Reporter(Action<SourceFile> report) : IProgress<SourceFile>
    {
        public void Report(SourceFile value) => report(value);
    }
}
