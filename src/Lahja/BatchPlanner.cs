namespace Lahja;

/// <summary>
/// Decides how texts, taken in the order the identifier processes them (length-sorted by default), are cut into
/// model passes. <see cref="Fixed(int, int?)"/> cuts every <c>n</c> texts, as offline prediction always has. <see cref="CostBased(int, double, int?)"/>
/// cuts where it saves time: a pass costs a fixed overhead (reading every weight once, dispatching every operation)
/// plus its padded tokens, so a batch of mixed lengths — what a server gathers from concurrent requests — runs
/// faster as a few passes of similar lengths than as one pass padded to the longest text. Either may have a token
/// budget (<see cref="MaxBatchTokens"/>): no pass holds more than that many padded tokens, so the activations' memory is
/// bounded whatever the texts' lengths; a text longer than the budget runs alone.
/// </summary>
public sealed class BatchPlanner
{
    private BatchPlanner(int maxBatchSize, double? passOverheadTokens, int? maxBatchTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        if (maxBatchTokens is < 1) throw new ArgumentOutOfRangeException(nameof(maxBatchTokens), maxBatchTokens, "The token budget of a pass must be at least 1.");
        if (passOverheadTokens is { } overhead && (double.IsNaN(overhead) || overhead < 0))
            throw new ArgumentOutOfRangeException(nameof(passOverheadTokens), overhead, "The pass overhead must be a number of tokens, 0 or more.");
        MaxBatchSize = maxBatchSize;
        PassOverheadTokens = passOverheadTokens;
        MaxBatchTokens = maxBatchTokens;
    }

    /// <summary>
    /// Passes of <paramref name="batchSize"/> texts (the last one may be smaller); with <paramref name="maxBatchTokens"/>,
    /// a pass also ends before the text that would take it over that many padded tokens.
    /// </summary>
    public static BatchPlanner Fixed(int batchSize, int? maxBatchTokens = null) => new(batchSize, null, maxBatchTokens);

    /// <summary>
    /// Passes of at most <paramref name="maxBatchSize"/> consecutive texts that minimise the estimated time, counted
    /// in tokens: each pass costs <paramref name="passOverheadTokens"/> plus its row count times its longest row.
    /// <see cref="DialectIdentifier.MeasurePassOverheadTokens"/> measures the overhead on the machine and model at hand.
    /// </summary>
    public static BatchPlanner CostBased(int maxBatchSize, double passOverheadTokens, int? maxBatchTokens = null) => new(maxBatchSize, passOverheadTokens, maxBatchTokens);

    /// <summary><see cref="Fixed(int, int?)"/> with the batch size and token budget of <paramref name="options"/>.</summary>
    public static BatchPlanner Fixed(DialectIdentifierOptions options) => Fixed(options.BatchSize, options.MaxBatchTokens);

    /// <summary><see cref="CostBased(int, double, int?)"/> with the batch size and token budget of <paramref name="options"/>.</summary>
    public static BatchPlanner CostBased(DialectIdentifierOptions options, double passOverheadTokens) =>
        CostBased(options.BatchSize, passOverheadTokens, options.MaxBatchTokens);

    /// <summary>Most texts in one pass.</summary>
    public int MaxBatchSize { get; }

    /// <summary>The fixed cost of one pass in tokens; null for <see cref="Fixed(int, int?)"/> passes.</summary>
    public double? PassOverheadTokens { get; }

    /// <summary>Most padded tokens (rows × longest row) in a pass of more than one text; null: no budget.</summary>
    public int? MaxBatchTokens { get; }

    /// <summary>
    /// The sizes of consecutive passes over texts of these token <paramref name="lengths"/>, in processing order;
    /// they add up to the number of texts.
    /// </summary>
    public int[] Plan(IReadOnlyList<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var count = lengths.Count;
        if (PassOverheadTokens is not { } overhead)
        {
            var sizes = new List<int>();
            var (rows, longest) = (0, 0);
            foreach (var length in lengths)
            {
                if (rows > 0 && (rows == MaxBatchSize || !Fits(rows + 1, Math.Max(longest, length))))
                {
                    sizes.Add(rows);
                    (rows, longest) = (0, 0);
                }
                rows++;
                longest = Math.Max(longest, length);
            }
            if (rows > 0) sizes.Add(rows);
            return [.. sizes];
        }
        // Shortest path over cut points: best[j] is the least cost of the first j texts; the last pass of that
        // prefix starts at start[j]. O(count × MaxBatchSize). Among equal costs the longest last pass wins, so
        // fewer passes are preferred.
        var best = new double[count + 1];
        var start = new int[count + 1];
        for (var j = 1; j <= count; j++)
        {
            best[j] = double.PositiveInfinity;
            var longest = 0;
            for (var i = j - 1; i >= Math.Max(0, j - MaxBatchSize); i--)
            {
                longest = Math.Max(longest, lengths[i]);
                // Rows and the longest row only grow as the pass reaches further back.
                if (j - i > 1 && !Fits(j - i, longest)) break;
                var cost = best[i] + overhead + (double)(j - i) * longest;
                if (cost <= best[j])
                {
                    best[j] = cost;
                    start[j] = i;
                }
            }
        }
        var cuts = new List<int>();
        for (var j = count; j > 0; j = start[j]) cuts.Add(j - start[j]);
        cuts.Reverse();
        return [.. cuts];
    }

    private bool Fits(int rows, int longest) => MaxBatchTokens is not { } budget || (long)rows * longest <= budget;

    /// <summary>
    /// The estimated time of a pass of <paramref name="rows"/> texts padded to <paramref name="longest"/> tokens, in
    /// tokens' time: the pass overhead (0 for <see cref="Fixed(int, int?)"/>) plus the padded tokens.
    /// </summary>
    public double EstimatedCost(int rows, int longest) => (PassOverheadTokens ?? 0) + (double)rows * longest;

    /// <inheritdoc />
    public override string ToString() => (PassOverheadTokens is { } overhead
        ? $"cost-based (at most {MaxBatchSize} texts per pass, overhead {overhead:0.#} tokens"
        : $"fixed ({MaxBatchSize} texts per pass") + (MaxBatchTokens is { } budget ? $", at most {budget} tokens)" : ")");
}
