using Lahja.Text;

namespace Lahja.Tests;

public class BatchPlannerTests
{
    private static double Cost(IReadOnlyList<int> lengths, IReadOnlyList<int> sizes, double overhead)
    {
        double total = 0;
        var start = 0;
        foreach (var size in sizes)
        {
            total += overhead + (double)size * lengths.Skip(start).Take(size).Max();
            start += size;
        }
        return total;
    }

    /// <summary>Every way to cut <paramref name="count"/> texts into consecutive passes: 2^(count-1) lists of pass sizes.</summary>
    private static IEnumerable<List<int>> AllCuts(int count)
    {
        for (var cuts = 0; cuts < 1 << (count - 1); cuts++)
        {
            var candidate = new List<int>();
            var size = 1;
            for (var i = 0; i < count - 1; i++)
                if ((cuts >> i & 1) == 1) { candidate.Add(size); size = 1; } else size++;
            candidate.Add(size);
            yield return candidate;
        }
    }

    [Fact]
    public void Fixed_cuts_every_n_texts()
    {
        Assert.Equal([3, 3, 1], BatchPlanner.Fixed(3).Plan([1, 2, 3, 4, 5, 6, 7]));
        Assert.Equal([2], BatchPlanner.Fixed(8).Plan([9, 9]));
        Assert.Empty(BatchPlanner.Fixed(4).Plan([]));
        Assert.Null(BatchPlanner.Fixed(4).PassOverheadTokens);
    }

    [Fact]
    public void Cost_based_plans_are_optimal_against_every_possible_cut()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 300; trial++)
        {
            var count = random.Next(1, 11);
            var lengths = Enumerable.Range(0, count).Select(_ => random.Next(2, 80)).ToArray();
            if (trial % 2 == 0) Array.Sort(lengths);
            var maxBatch = random.Next(1, count + 2);
            var overhead = random.Next(0, 4) switch { 0 => 0, 1 => random.NextDouble() * 10, 2 => 25, _ => 1000 };
            var sizes = BatchPlanner.CostBased(maxBatch, overhead).Plan(lengths);
            Assert.Equal(count, sizes.Sum());
            Assert.All(sizes, s => Assert.InRange(s, 1, maxBatch));
            var best = AllCuts(count).Where(c => c.All(s => s <= maxBatch)).Min(c => Cost(lengths, c, overhead));
            Assert.Equal(best, Cost(lengths, sizes, overhead), 6);
        }
    }

    [Fact]
    public void A_long_text_among_short_ones_gets_its_own_pass_when_passes_are_cheap()
    {
        int[] lengths = [5, 5, 6, 6, 7, 60];
        Assert.Equal([5, 1], BatchPlanner.CostBased(32, 20).Plan(lengths));
        Assert.Equal([6], BatchPlanner.CostBased(32, 1000).Plan(lengths));
        Assert.Equal([2, 2, 1, 1], BatchPlanner.CostBased(32, 0).Plan(lengths));
        // A huge overhead means as few passes as the size limit allows.
        Assert.Equal(3, BatchPlanner.CostBased(2, 1e6).Plan(lengths).Length);
    }

    [Fact]
    public void A_token_budget_caps_every_pass_of_more_than_one_text()
    {
        int[] sorted = [3, 4, 5, 6, 8, 10, 10, 20, 40, 90];
        // Fixed: a pass ends before the text that would take it over 30 padded tokens (rows × longest).
        Assert.Equal([4, 3, 1, 1, 1], BatchPlanner.Fixed(6, 30).Plan(sorted));
        Assert.Equal([6, 4], BatchPlanner.Fixed(6).Plan(sorted)); // no budget: every 6 texts, as before
        // A text longer than the budget runs alone rather than not at all.
        Assert.Equal([1, 1], BatchPlanner.Fixed(8, 10).Plan([50, 60]));
        // Unsorted input: the longest row so far counts, whichever position it has.
        Assert.Equal([1, 2, 2], BatchPlanner.Fixed(8, 20).Plan([15, 2, 9, 3, 10]));
        var random = new Random(5);
        for (var trial = 0; trial < 300; trial++)
        {
            var lengths = Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(2, 130)).ToArray();
            if (trial % 2 == 0) Array.Sort(lengths);
            var budget = random.Next(1, 2000);
            foreach (var planner in new[] { BatchPlanner.Fixed(16, budget), BatchPlanner.CostBased(16, random.Next(0, 300), budget) })
            {
                var sizes = planner.Plan(lengths);
                Assert.Equal(lengths.Length, sizes.Sum());
                var start = 0;
                foreach (var size in sizes)
                {
                    Assert.InRange(size, 1, 16);
                    if (size > 1) Assert.True(size * lengths.Skip(start).Take(size).Max() <= budget, $"{planner}: {size} rows over {budget} tokens");
                    start += size;
                }
            }
        }
        Assert.Equal("fixed (6 texts per pass, at most 30 tokens)", BatchPlanner.Fixed(6, 30).ToString());
    }

    [Fact]
    public void Cost_based_plans_with_a_budget_are_optimal_among_the_cuts_within_it()
    {
        var random = new Random(13);
        for (var trial = 0; trial < 300; trial++)
        {
            var count = random.Next(1, 11);
            var lengths = Enumerable.Range(0, count).Select(_ => random.Next(2, 80)).ToArray();
            if (trial % 2 == 0) Array.Sort(lengths);
            var overhead = random.Next(0, 3) switch { 0 => 0, 1 => 25, _ => 1000 };
            var budget = random.Next(1, 400);
            var sizes = BatchPlanner.CostBased(8, overhead, budget).Plan(lengths);
            var best = double.PositiveInfinity;
            foreach (var candidate in AllCuts(count))
            {
                var start = 0;
                var fits = true;
                foreach (var s in candidate)
                {
                    fits &= s <= 8 && (s == 1 || s * lengths.Skip(start).Take(s).Max() <= budget);
                    start += s;
                }
                if (fits) best = Math.Min(best, Cost(lengths, candidate, overhead));
            }
            Assert.Equal(best, Cost(lengths, sizes, overhead), 6);
        }
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlanner.Fixed(8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlanner.CostBased(8, 10, -5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlanner.Fixed(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlanner.CostBased(8, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlanner.CostBased(8, double.NaN));
    }
}

public class DialectIdentifierPlanningTests
{
    private static readonly string[] Texts =
    [
        "شلونك", "شو عم تعمل هلق يا زلمة", "ايه", "والله ما بعرف شو بدي قلك عن هالموضوع الطويل كتير كتير كتير كتير كتير",
        "ازيك يا باشا", "كيفك", "واش راك", "بزاف", "هلا والله", "شنو هذا", "عامل ايه النهارده يا صاحبي", "لا",
    ];

    [Fact]
    public void Passes_follow_the_planner_and_results_stay_in_input_order()
    {
        var fixedEngine = new RecordingEngine();
        using var fixedIdentifier = RecordingEngine.Identifier(fixedEngine, batchSize: 5);
        var expected = fixedIdentifier.Predict(Texts);
        Assert.Equal([5, 5, 2], fixedEngine.Passes.Select(p => p.Rows));

        var engine = new RecordingEngine();
        using var identifier = RecordingEngine.Identifier(engine, batchSize: 5);
        var planner = BatchPlanner.CostBased(5, 4);
        var reported = new List<int>();
        var results = identifier.Predict(Texts, TextPreprocessor.B2Bert, planner, new SynchronousProgress(reported.Add));

        var lengths = Texts.Select(t => identifier.Encode(t, TextPreprocessor.B2Bert).Count).Order().ToArray();
        Assert.NotEqual([5, 5, 2], planner.Plan(lengths)); // else this test could not tell the planners apart
        Assert.Equal(planner.Plan(lengths), engine.Passes.Select(p => p.Rows));
        Assert.Equal(lengths, engine.Passes.SelectMany(p => p.RowLengths));
        Assert.All(engine.Passes, p => Assert.Equal(p.RowLengths.Max(), p.Length));
        Assert.Equal(Texts.Length, reported[^1]);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(Texts[i], results[i].Text);
            Assert.Equal(expected[i].Probabilities, results[i].Probabilities);
        }
    }

    [Fact]
    public void The_identifiers_passes_keep_to_its_token_budget()
    {
        var engine = new RecordingEngine();
        using var identifier = DialectIdentifier.Load(Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32"),
            new DialectIdentifierOptions { Engine = engine, BatchSize = 5, MaxBatchTokens = 24 });
        var results = identifier.Predict(Texts);
        var lengths = Texts.Select(t => identifier.Encode(t, TextPreprocessor.B2Bert).Count).Order().ToArray();
        Assert.Equal(BatchPlanner.Fixed(5, 24).Plan(lengths), engine.Passes.Select(p => p.Rows));
        Assert.NotEqual(BatchPlanner.Fixed(5).Plan(lengths), engine.Passes.Select(p => p.Rows)); // the budget made a difference
        Assert.All(engine.Passes, p => Assert.True(p.Rows == 1 || p.Rows * p.Length <= 24, $"{p.Rows} × {p.Length}"));
        using var unbudgeted = RecordingEngine.Identifier(new RecordingEngine(), batchSize: 5);
        Assert.Equal(unbudgeted.Predict(Texts).Select(r => r.Probabilities), results.Select(r => r.Probabilities));
        Assert.Throws<ArgumentOutOfRangeException>(() => DialectIdentifier.Load(Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32"),
            new DialectIdentifierOptions { Engine = new RecordingEngine(), MaxBatchTokens = 0 }));
    }

    [Fact]
    public void By_default_passes_keep_to_the_default_token_budget_and_null_lifts_it()
    {
        // 64 texts of 20–40 tokens: 32 to a pass would hold more than 512 padded tokens.
        var texts = Enumerable.Range(0, 64).Select(i => string.Join(" ", Enumerable.Repeat("شلونك حبيبي", 10 + i % 11))).ToArray();
        var engine = new RecordingEngine();
        using var identifier = RecordingEngine.Identifier(engine);
        Assert.Equal(DialectIdentifierOptions.DefaultMaxBatchTokens, identifier.Options.MaxBatchTokens);
        identifier.Predict(texts);
        Assert.All(engine.Passes, p => Assert.True(p.Rows == 1 || p.Rows * p.Length <= DialectIdentifierOptions.DefaultMaxBatchTokens, $"{p.Rows} × {p.Length}"));
        var unbudgetedEngine = new RecordingEngine();
        using var unbudgeted = DialectIdentifier.Load(Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32"),
            new DialectIdentifierOptions { Engine = unbudgetedEngine, MaxBatchTokens = null });
        unbudgeted.Predict(texts);
        Assert.Equal([32, 32], unbudgetedEngine.Passes.Select(p => p.Rows));
        Assert.True(unbudgetedEngine.Passes[0].Rows * unbudgetedEngine.Passes[0].Length > DialectIdentifierOptions.DefaultMaxBatchTokens); // else the budget was not tested
    }

    [Fact]
    public void The_pass_overhead_is_measured_in_tokens()
    {
        // 30 ms a pass and 0.2 ms a token: an overhead of 150 tokens. Sleeps only ever run long, and the best of three
        // is taken, so the estimate stays near; the range allows a loaded machine.
        var engine = new RecordingEngine(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(0.2));
        using var identifier = RecordingEngine.Identifier(engine);
        Assert.InRange(identifier.MeasurePassOverheadTokens(), 100, 220);
        Assert.Equal((1, 16), (engine.Passes[0].Rows, engine.Passes[0].Length));
        Assert.Equal((16, 32), (engine.Passes[^1].Rows, engine.Passes[^1].Length));
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
