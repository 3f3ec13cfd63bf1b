namespace Lahja.Tests;

public class DecisionRuleTests
{
    /// <summary>Sigmoid-shaped probabilities (many near 0, some near 1), in float as the engines give them.</summary>
    private static float[][] RandomProbabilities(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Dialects.Count)
            .Select(_ => (float)(1 / (1 + Math.Exp(-(random.NextDouble() * 12 - 8))))).ToArray()).ToArray();

    /// <summary>The thresholds tuning tries (0.001–0.009, 0.01–0.99), as decimals.</summary>
    private static readonly double[] Candidates = [.. Enumerable.Range(1, 9).Select(i => i / 1000.0), .. Enumerable.Range(1, 99).Select(i => i / 100.0)];

    private static int[] Chosen(bool[] decided) => [.. Enumerable.Range(0, decided.Length).Where(i => decided[i])];

    [Fact]
    public void Decides_as_the_identifiers_options_did_on_random_probabilities_and_rules()
    {
        var random = new Random(17);
        var probabilities = RandomProbabilities(random, 2000);
        for (var r = 0; r < 200; r++)
        {
            var threshold = r % 4 == 0 ? (float?)null : (float)Candidates[random.Next(Candidates.Length)];
            var relative = r % 3 == 0 ? (float?)null : (float)Candidates[random.Next(Candidates.Length)];
            var perDialect = r % 2 == 0 ? null : Dialects.All.Where(_ => random.Next(3) == 0)
                .ToDictionary(d => d, _ => (float)Candidates[random.Next(Candidates.Length)]);
            var options = new DialectIdentifierOptions { Threshold = threshold, RelativeThreshold = relative, DialectThresholds = perDialect };
            var rule = new DecisionRule { Threshold = threshold ?? DecisionRule.DefaultThreshold, RelativeThreshold = relative ?? 0, DialectThresholds = perDialect };
            foreach (var p in probabilities.Skip(r * 10).Take(10))
                Assert.Equal(Old.OptionsDecide(options, p), rule.Decide(p));
        }
    }

    [Fact]
    public void Decides_as_threshold_analysis_did_on_random_probabilities_and_rules()
    {
        var random = new Random(23);
        var probabilities = RandomProbabilities(random, 3000);
        for (var r = 0; r < 300; r++)
        {
            var threshold = Candidates[random.Next(Candidates.Length)];
            var floor = r % 2 == 0 ? 0 : Candidates[random.Next(Candidates.Length)];
            var dialect = random.Next(Dialects.Count);
            var own = Candidates[random.Next(Candidates.Length)];
            var batch = probabilities.Skip(r * 10).Take(10).ToArray();
            var rule = new DecisionRule
            {
                Threshold = (float)threshold, RelativeThreshold = (float)floor,
                DialectThresholds = new Dictionary<Dialect, float> { [(Dialect)dialect] = (float)own },
            };
            Assert.Equal(Old.AnalysisDecide(batch, d => d == dialect ? own : threshold, floor), batch.Select(rule.Decide).ToArray());
            var relative = Candidates[random.Next(Candidates.Length)];
            Assert.Equal(Old.AnalysisDecideRelative(batch, relative), batch.Select(DecisionRule.Relative((float)relative).Decide).ToArray());
        }
    }

    [Fact]
    public void A_probability_equal_to_the_float_of_a_threshold_is_at_it_as_the_identifier_always_decided()
    {
        // 0.35 has no float: its nearest, 0.3499999940…, lies below the decimal. The identifier compared in float and
        // predicted the dialect; tuning used to compare in double and did not. The rule decides as the identifier.
        var threshold = Candidates.First(t => (double)(float)t < t);
        var p = new float[Dialects.Count];
        p[4] = (float)threshold;
        Assert.Equal([4], Chosen(new DecisionRule { Threshold = (float)threshold }.Decide(p)));
        Assert.Equal(Old.OptionsDecide(new DialectIdentifierOptions { Threshold = (float)threshold }, p), new DecisionRule { Threshold = (float)threshold }.Decide(p));
        Assert.Empty(Chosen(Old.AnalysisDecide([p], _ => threshold, 0)[0]));
    }

    [Fact]
    public void The_default_rule_is_b2berts_and_per_dialect_thresholds_replace_the_global_one_for_their_dialects()
    {
        var p = new float[Dialects.Count];
        p[1] = 0.9f;
        p[2] = 0.3f;
        p[3] = 0.29f;
        p[4] = 0.05f;
        Assert.Equal([1, 2], Chosen(DecisionRule.Default.Decide(p)));
        var rule = new DecisionRule { DialectThresholds = new Dictionary<Dialect, float> { [(Dialect)2] = 0.5f, [(Dialect)4] = 0.01f } };
        Assert.Equal([1, 4], Chosen(rule.Decide(p)));
        Assert.Equal(0.5f, rule.ThresholdFor((Dialect)2));
        Assert.Equal(DecisionRule.DefaultThreshold, rule.ThresholdFor((Dialect)3));
        // The relative floor comes on top: 0.5 × 0.9 leaves only the top one.
        Assert.Equal([1], Chosen((rule with { RelativeThreshold = 0.5f }).Decide(p)));
        Assert.Equal([1, 2, 3], Chosen(DecisionRule.Relative(0.3f).Decide(p)));
    }

    [Fact]
    public void Rules_that_decide_alike_are_equal_whatever_instance_holds_their_per_dialect_thresholds()
    {
        var a = new DecisionRule { Threshold = 0.2f, DialectThresholds = new Dictionary<Dialect, float> { [Dialect.Egypt] = 0.4f } };
        var b = new DecisionRule { Threshold = 0.2f, DialectThresholds = new Dictionary<Dialect, float> { [Dialect.Egypt] = 0.4f } };
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { DialectThresholds = new Dictionary<Dialect, float> { [Dialect.Egypt] = 0.5f } });
        Assert.NotEqual(a, a with { RelativeThreshold = 0.1f });
        Assert.NotEqual(a, a with { Threshold = 0.3f });
        Assert.Equal(DecisionRule.Default, new DecisionRule { DialectThresholds = new Dictionary<Dialect, float>() });
    }

    [Fact]
    public void Out_of_range_thresholds_and_a_wrong_number_of_probabilities_are_refused_with_their_name()
    {
        Assert.Equal("Threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new DecisionRule { Threshold = 1.5f }.Validate()).ParamName);
        Assert.Equal("RelativeThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new DecisionRule { RelativeThreshold = float.NaN }.Validate()).ParamName);
        Assert.Equal("DialectThresholds", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DecisionRule { DialectThresholds = new Dictionary<Dialect, float> { [Dialect.Iraq] = -0.1f } }.Validate()).ParamName);
        new DecisionRule { Threshold = 0, RelativeThreshold = 1 }.Validate();
        Assert.Throws<ArgumentException>(() => DecisionRule.Default.Decide(new float[17]));
    }

    [Fact]
    public void Describe_says_the_rule_in_words()
    {
        Assert.Equal("a dialect is predicted when its probability is at least 0.3; no relative threshold", DecisionRule.Default.Describe());
        var rule = new DecisionRule { Threshold = 0, RelativeThreshold = 0.35f, DialectThresholds = new Dictionary<Dialect, float> { [Dialect.Egypt] = 0.35f } };
        Assert.Equal("a dialect is predicted when its probability is at least 0 (per dialect: Egypt 0.35) and at least 0.35 × the top dialect's probability", rule.Describe());
    }

    /// <summary>The rule as the places that decided wrote it before it had one place (issue 17), kept as they were.</summary>
    private static class Old
    {
        /// <summary><c>DialectIdentifierOptions.Decide</c>: in float.</summary>
        public static bool[] OptionsDecide(DialectIdentifierOptions options, IReadOnlyList<float> probabilities)
        {
            var top = 0f;
            for (var d = 0; d < Dialects.Count; d++) top = Math.Max(top, probabilities[d]);
            var floor = (options.RelativeThreshold ?? 0f) * top;
            var chosen = new bool[Dialects.Count];
            for (var d = 0; d < Dialects.Count; d++) chosen[d] = probabilities[d] >= ThresholdFor(options, (Dialect)d) && probabilities[d] >= floor;
            return chosen;
        }

        private static float ThresholdFor(DialectIdentifierOptions options, Dialect dialect) =>
            options.DialectThresholds is not null && options.DialectThresholds.TryGetValue(dialect, out var t) ? t : options.Threshold ?? 0.3f;

        /// <summary><c>ThresholdAnalysis.Decide</c>: thresholds in double, the relative floor in float.</summary>
        public static bool[][] AnalysisDecide(IReadOnlyList<IReadOnlyList<float>> probabilities, Func<int, double> threshold, double relativeFloor) =>
            probabilities.Select(p =>
            {
                var floor = (float)relativeFloor * p.Max();
                return Enumerable.Range(0, Dialects.Count).Select(d => p[d] >= threshold(d) && p[d] >= floor).ToArray();
            }).ToArray();

        /// <summary><c>ThresholdAnalysis.DecideRelative</c>: in double.</summary>
        public static bool[][] AnalysisDecideRelative(IReadOnlyList<IReadOnlyList<float>> probabilities, double relative) =>
            probabilities.Select(p =>
            {
                var top = p.Max();
                return p.Select(x => x >= relative * top).ToArray();
            }).ToArray();
    }
}
