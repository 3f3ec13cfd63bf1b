using Lahja.Data;

namespace Lahja.Distillation.Tests;

public sealed class PseudoLabelTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-pl-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private sealed class FixedTeacher(string name, TeacherAnswer?[] answers) : ITeacher
    {
        public string Name => name;
        public string Version => "v";
        public Task<TeacherAnswer?[]> LabelAsync(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken) => Task.FromResult(answers);
        public void Dispose() { }
    }

    private static TeacherAnswer Answer(params Dialect[] dialects) =>
        new(Dialects.All.Select(dialects.Contains).ToArray(), null, "h");

    [Theory]
    [InlineData(Vote.Any, new[] { Dialect.Egypt, Dialect.Sudan, Dialect.Libya })]
    [InlineData(Vote.Majority, new[] { Dialect.Egypt, Dialect.Sudan })]
    [InlineData(Vote.All, new[] { Dialect.Egypt })]
    public void Teachers_vote(Vote vote, Dialect[] expected)
    {
        var rows = new[] { new SourceRow("1", "f", new TeacherItem("نص", Dialect.Egypt)) };
        var teachers = new (ITeacher, TeacherAnswer?[])[]
        {
            (new FixedTeacher("a", [Answer(Dialect.Egypt, Dialect.Sudan)]), [Answer(Dialect.Egypt, Dialect.Sudan)]),
            (new FixedTeacher("b", [Answer(Dialect.Egypt, Dialect.Libya)]), [Answer(Dialect.Egypt, Dialect.Libya)]),
            (new FixedTeacher("c", [Answer(Dialect.Egypt, Dialect.Sudan)]), [Answer(Dialect.Egypt, Dialect.Sudan)]),
        };
        var (labelled, _, _) = PseudoLabeler.Combine(rows, teachers, vote, includeGold: false);
        Assert.Equal(expected.Order(), Dialects.All.Where(d => labelled[0].Labels[(int)d]));
        Assert.Equal($"vote-{vote.ToString().ToLowerInvariant()}(a+b+c)", labelled[0].Teacher);
    }

    [Fact]
    public void Gold_is_added_on_request_all_18_stay_all_18_and_failures_are_left_out()
    {
        var rows = new[]
        {
            new SourceRow("1", "f", new TeacherItem("أ", Dialect.Oman)),
            new SourceRow("2", "f", new TeacherItem("ب", Dialect.Iraq)),
            new SourceRow("3", "f", new TeacherItem("ج", Dialect.Iraq)),
            new SourceRow("4", "f", new TeacherItem("د", Dialect.Iraq)),
        };
        TeacherAnswer?[] answers = [Answer(Dialect.Qatar), Answer([.. Dialects.All]), TeacherAnswer.Failed("missing Yemen"), null];
        var (labelled, failed, unanswered) = PseudoLabeler.Combine(rows, [(new FixedTeacher("t", answers), answers)], Vote.Majority, includeGold: true);
        Assert.Equal(2, labelled.Count);
        Assert.Equal([Dialect.Oman, Dialect.Qatar], Dialects.All.Where(d => labelled[0].Labels[(int)d]));
        Assert.Equal(18, labelled[1].Cardinality);
        Assert.Equal("3", Assert.Single(failed).Row.Id);
        Assert.Equal(1, unanswered);
        Assert.Equal(1, PseudoLabeler.CardinalityCounts(labelled)[2]);
        Assert.Equal(1, PseudoLabeler.CardinalityCounts(labelled)[18]);
    }

    [Theory]
    [InlineData("out.tsv")]
    [InlineData("out.csv")]
    [InlineData("out.jsonl")]
    public void The_output_reads_back_as_training_data_with_labels_and_soft_targets(string name)
    {
        var random = new Random(7);
        var rows = Enumerable.Range(0, 30).Select(i =>
        {
            var labels = Dialects.All.Select(_ => random.NextDouble() < 0.3).ToArray();
            var p = Dialects.All.Select(_ => (float)random.NextDouble()).ToArray();
            var text = i == 3 ? "نص، مع \"علامات\", وفاصلة" : $"نص رقم {i}";
            return new PseudoLabel($"TRAIN_{i}", "NADI.tsv", text, (Dialect)(i % 18), labels, p, "local", "ngram-lr-v1:abc", "0123");
        }).ToList();
        var path = Path.Combine(directory, name);
        PseudoLabelFile.Write(path, rows);
        var data = LabeledDataset.Read(path);
        Assert.Equal(rows.Select(r => r.Text), data.Texts);
        Assert.Equal(rows.Select(r => r.Id), data.Ids);
        for (var i = 0; i < rows.Count; i++)
            Assert.Equal(rows[i].Labels, data.MultiLabel![i].Select(x => x == true));
        if (!name.EndsWith(".jsonl"))
            for (var i = 0; i < rows.Count; i++) Assert.Equal(rows[i].Probabilities, data.Probabilities![i]);
        Assert.DoesNotContain(Directory.GetFiles(directory), f => f != path);
    }
}
