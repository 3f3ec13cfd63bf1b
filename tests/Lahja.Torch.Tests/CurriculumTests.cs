using Lahja.Torch.Training;

namespace Lahja.Torch.Tests;

public class CurriculumTests
{
    // 36 single-dialect rows (2 per country), 18 rows with 2 dialects, 5 with 3, 2 with 17 (folded into 18), 1 with none.
    private static List<TrainingExample> Synthetic()
    {
        var rows = new List<TrainingExample>();
        bool[] With(params int[] dialects) { var l = new bool[18]; foreach (var d in dialects) l[d] = true; return l; }
        for (var d = 0; d < 18; d++) { rows.Add(new($"a{d}", With(d))); rows.Add(new($"b{d}", With(d))); }
        for (var i = 0; i < 18; i++) rows.Add(new($"c{i}", With(i, (i + 1) % 18)));
        for (var i = 0; i < 5; i++) rows.Add(new($"d{i}", With(i, i + 1, i + 2)));
        for (var i = 0; i < 2; i++) rows.Add(new($"e{i}", Enumerable.Range(0, 18).Select(d => d != i).ToArray()));
        rows.Add(new("none", new bool[18]));
        return rows;
    }

    private static Dictionary<int, int> Cardinalities(List<TrainingExample> rows, CurriculumStage stage) =>
        Curriculum.Composition(rows, stage).ByCardinality.ToDictionary();

    [Fact]
    public void Staged_plan_matches_the_authors_rules()
    {
        var rows = Synthetic();
        var plan = Curriculum.Plan(rows, CurriculumStrategy.CardinalityStages, 2, seed: 1);
        Assert.Equal(["stage 1", "stage 2", "stage 3", "stage 18"], plan.Select(s => s.Name));
        Assert.All(plan, s => Assert.Equal(2, s.Epochs));
        Assert.Equal(new Dictionary<int, int> { [1] = 36 }, Cardinalities(rows, plan[0]));
        // Stage 2: its 18 rows, and 18 // 18 = 1 single-dialect row per country (without replacement: 2 available).
        Assert.Equal(new Dictionary<int, int> { [1] = 18, [2] = 18 }, Cardinalities(rows, plan[1]));
        Assert.Equal(18, Curriculum.Composition(rows, plan[1]).ByDialect.Count(p => p.Value >= 1));
        Assert.Equal(18, plan[1].Indices.Where(i => rows[i].Cardinality == 1).Distinct().Count());
        // Stage 3: 5 rows; 5 // 18 = 0 singles; cardinality 2 (18 > 5 rows) sampled down to 5 with replacement.
        Assert.Equal(new Dictionary<int, int> { [2] = 5, [3] = 5 }, Cardinalities(rows, plan[2]));
        // Stage 18: the two 17-dialect rows count as 18; 2 // 18 = 0 singles; cardinalities 2 and 3 sampled to 2 each.
        Assert.Equal(new Dictionary<int, int> { [2] = 2, [3] = 2, [18] = 2 }, Cardinalities(rows, plan[3]));
        Assert.DoesNotContain(plan.SelectMany(s => s.Indices), i => rows[i].Cardinality == 0);
        Assert.All(rows.Where(r => r.Labels.Count(x => x) == 17), r => Assert.All(r.Target, Assert.True));
    }

    [Fact]
    public void Epoch_plan_admits_cardinalities_progressively_and_balances_them()
    {
        var rows = Synthetic();
        var plan = Curriculum.Plan(rows, CurriculumStrategy.CardinalityEpochs, 4, seed: 1);
        // Cardinalities 1, 2, 3, 18 over 4 epochs: one more each epoch; quota = the newest one's size.
        Assert.Equal(new Dictionary<int, int> { [1] = 36 }, Cardinalities(rows, plan[0]));
        Assert.Equal(new Dictionary<int, int> { [1] = 18, [2] = 18 }, Cardinalities(rows, plan[1]));
        Assert.Equal(new Dictionary<int, int> { [1] = 5, [2] = 5, [3] = 5 }, Cardinalities(rows, plan[2]));
        Assert.Equal(new Dictionary<int, int> { [1] = 2, [2] = 2, [3] = 2, [18] = 2 }, Cardinalities(rows, plan[3]));
        Assert.All(plan, s => Assert.Equal(s.Indices.Length, s.Indices.Distinct().Count())); // without replacement
    }

    [Fact]
    public void No_curriculum_uses_every_labelled_row_each_epoch()
    {
        var rows = Synthetic();
        var plan = Curriculum.Plan(rows, CurriculumStrategy.None, 3, seed: 1);
        Assert.Equal(3, plan.Count);
        Assert.All(plan, s => Assert.Equal(rows.Count - 1, s.Indices.Length));
        Assert.NotEqual(plan[0].Indices, plan[1].Indices); // reshuffled each epoch
    }

    [Fact]
    public void Plans_are_deterministic_under_the_seed()
    {
        var rows = Synthetic();
        foreach (var strategy in Enum.GetValues<CurriculumStrategy>())
        {
            var a = Curriculum.Plan(rows, strategy, 3, seed: 5);
            var b = Curriculum.Plan(rows, strategy, 3, seed: 5);
            var c = Curriculum.Plan(rows, strategy, 3, seed: 6);
            Assert.Equal(a.SelectMany(s => s.Indices), b.SelectMany(s => s.Indices));
            Assert.NotEqual(a.SelectMany(s => s.Indices), c.SelectMany(s => s.Indices));
        }
    }
}
