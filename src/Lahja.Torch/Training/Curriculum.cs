namespace Lahja.Torch.Training;

/// <summary>Builds curriculum plans, deterministically under a seed.</summary>
public static class Curriculum
{
    /// <summary>The stage cardinalities of the authors' staged curriculum.</summary>
    public static IReadOnlyList<int> StageCardinalities { get; } = [.. Enumerable.Range(1, 15), 18];

    /// <summary>Plans training over <paramref name="examples"/>.</summary>
    /// <param name="examples">The training examples.</param>
    /// <param name="strategy">The strategy.</param>
    /// <param name="epochs">Epochs in total (none, cardinality-epochs), or per stage (cardinality-stages).</param>
    /// <param name="seed">Seed for sampling and shuffling.</param>
    public static IReadOnlyList<CurriculumStage> Plan(IReadOnlyList<TrainingExample> examples, CurriculumStrategy strategy, int epochs, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        var byCardinality = Enumerable.Range(0, examples.Count).GroupBy(i => examples[i].Cardinality)
            .ToDictionary(g => g.Key, g => g.ToArray());
        int[] Of(int k) => byCardinality.TryGetValue(k, out var rows) ? rows : [];
        return strategy switch
        {
            CurriculumStrategy.None => Enumerable.Range(0, epochs)
                .Select(e => new CurriculumStage($"epoch {e + 1}", 1, Shuffle(Enumerable.Range(0, examples.Count).Where(i => examples[i].Cardinality > 0).ToArray(), seed, e)))
                .ToArray(),
            CurriculumStrategy.CardinalityEpochs => PlanEpochs(byCardinality, epochs, seed),
            CurriculumStrategy.CardinalityStages => PlanStages(examples, Of, epochs, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
        };
    }

    private static CurriculumStage[] PlanStages(IReadOnlyList<TrainingExample> examples, Func<int, int[]> of, int epochs, int seed)
    {
        var stages = new List<CurriculumStage>();
        var single = of(1);
        var singleByCountry = Dialects.All.ToDictionary(d => d, d => single.Where(i => examples[i].Labels[(int)d]).ToArray());
        foreach (var k in StageCardinalities)
        {
            var current = of(k);
            var n = current.Length;
            if (n == 0) continue;
            var random = new Random(Mix(seed, k));
            var rows = new List<int>(current);
            if (k > 1)
            {
                var perCountry = n / Dialects.Count;
                foreach (var d in Dialects.All)
                    rows.AddRange(Sample(singleByCountry[d], perCountry, random, withReplacement: singleByCountry[d].Length < perCountry));
                for (var j = 2; j < k; j++)
                {
                    var replay = of(j);
                    rows.AddRange(replay.Length > n ? Sample(replay, n, random, withReplacement: true) : replay);
                }
            }
            stages.Add(new CurriculumStage($"stage {k}", epochs, Shuffle(rows.ToArray(), seed, k)));
        }
        return stages.ToArray();
    }

    private static CurriculumStage[] PlanEpochs(Dictionary<int, int[]> byCardinality, int epochs, int seed)
    {
        var cardinalities = byCardinality.Keys.Where(k => k > 0).Order().ToArray();
        var stages = new List<CurriculumStage>();
        var admitted = 0;
        for (var e = 0; e < epochs; e++)
        {
            var upTo = (int)Math.Ceiling((e + 1) * cardinalities.Length / (double)epochs);
            var newest = cardinalities[admitted..upTo];
            admitted = Math.Max(admitted, upTo);
            var quota = (newest.Length > 0 ? newest : cardinalities[..admitted]).Max(k => byCardinality[k].Length);
            var random = new Random(Mix(seed, e, 7));
            var rows = new List<int>();
            foreach (var k in cardinalities[..admitted])
            {
                var pool = byCardinality[k];
                rows.AddRange(pool.Length > quota ? Sample(pool, quota, random, withReplacement: false) : pool);
            }
            stages.Add(new CurriculumStage($"epoch {e + 1}", 1, Shuffle(rows.ToArray(), seed, 1000 + e)));
        }
        return stages.ToArray();
    }

    private static int[] Sample(int[] pool, int count, Random random, bool withReplacement)
    {
        if (count <= 0 || pool.Length == 0) return [];
        if (withReplacement) return Enumerable.Range(0, count).Select(_ => pool[random.Next(pool.Length)]).ToArray();
        var copy = (int[])pool.Clone();
        random.Shuffle(copy);
        return copy[..Math.Min(count, copy.Length)];
    }

    private static int[] Shuffle(int[] rows, int seed, int salt)
    {
        new Random(Mix(seed, salt, 99)).Shuffle(rows);
        return rows;
    }

    // Deterministic across processes (HashCode.Combine is randomised per process).
    private static int Mix(params int[] parts)
    {
        unchecked
        {
            var h = 17;
            foreach (var p in parts) h = h * 1_000_003 + p;
            return h;
        }
    }

    /// <summary>A stage's composition: rows per cardinality and per dialect (for <c>lahja train --plan</c>).</summary>
    public static (IReadOnlyDictionary<int, int> ByCardinality, IReadOnlyDictionary<Dialect, int> ByDialect) Composition(IReadOnlyList<TrainingExample> examples, CurriculumStage stage)
    {
        var byCardinality = stage.Indices.GroupBy(i => examples[i].Cardinality).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        var byDialect = Dialects.All.ToDictionary(d => d, d => stage.Indices.Count(i => examples[i].Target[(int)d]));
        return (byCardinality, byDialect);
    }
}
