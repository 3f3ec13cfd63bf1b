namespace Lahja.Torch.Training;

/// <summary>A text with its multi-label target (canonical dialect order).</summary>
/// <param name="Text">The text.</param>
/// <param name="Labels">18 booleans: the dialects the text can be said in (they decide the curriculum).</param>
/// <param name="SoftTargets">
/// Optional soft targets (18 probabilities from a teacher, for distillation); when given, the loss learns these instead
/// of <paramref name="Labels"/>.
/// </param>
public sealed record TrainingExample(string Text, bool[] Labels, float[]? SoftTargets = null)
{
    /// <summary>Number of dialects, with B2BERT's folding: 16 or 17 dialects count as all 18.</summary>
    public int Cardinality
    {
        get
        {
            var k = Labels.Count(x => x);
            return k is 16 or 17 ? Dialects.Count : k;
        }
    }

    /// <summary>The target as B2BERT trained on it: rows with 16 or 17 dialects set to all 18.</summary>
    public bool[] Target => Labels.Count(x => x) is 16 or 17 ? Enumerable.Repeat(true, Dialects.Count).ToArray() : Labels;

    /// <summary>What the loss learns: the soft targets when given, else <see cref="Target"/> as 0/1.</summary>
    public float[] LossTarget => SoftTargets ?? Target.Select(x => x ? 1f : 0f).ToArray();
}

/// <summary>The curriculum strategies.</summary>
public enum CurriculumStrategy
{
    /// <summary>Every example with at least one dialect, every epoch.</summary>
    None,
    /// <summary>
    /// The model card's description: epoch e admits the cardinalities up to a maximum that grows evenly over the
    /// epochs; every admitted cardinality contributes as many examples as the largest newly admitted one (sampled
    /// without replacement, or all of them when fewer), so each epoch is balanced across cardinalities.
    /// </summary>
    CardinalityEpochs,
    /// <summary>
    /// The authors' code (B2BERT.md): stages 1…15, then 18; stage k = all n rows with k dialects, plus single-dialect
    /// replay balanced per country (n // 18 each, without replacement where enough rows exist, with replacement
    /// otherwise), plus for each j in 2…k−1 the rows with j dialects, sampled down to n with replacement when there
    /// are more than n, all of them otherwise. Stages without rows are skipped; each continues the previous weights.
    /// </summary>
    CardinalityStages,
}

/// <summary>One stage (or epoch) of a curriculum: the example indices it trains on, in training order.</summary>
/// <param name="Name">"stage 3" or "epoch 2".</param>
/// <param name="Epochs">Passes over <paramref name="Indices"/>.</param>
/// <param name="Indices">Indices into the example list (repeats allowed: replay with replacement).</param>
public sealed record CurriculumStage(string Name, int Epochs, int[] Indices);

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
