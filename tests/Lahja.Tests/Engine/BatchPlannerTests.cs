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
            // Every way to cut count texts into consecutive passes of at most maxBatch: 2^(count-1) cut sets.
            var best = double.PositiveInfinity;
            for (var cuts = 0; cuts < 1 << (count - 1); cuts++)
            {
                var candidate = new List<int>();
                var size = 1;
                for (var i = 0; i < count - 1; i++)
                    if ((cuts >> i & 1) == 1) { candidate.Add(size); size = 1; } else size++;
                candidate.Add(size);
                if (candidate.All(s => s <= maxBatch)) best = Math.Min(best, Cost(lengths, candidate, overhead));
            }
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
    public void Bad_settings_are_refused()
    {
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
