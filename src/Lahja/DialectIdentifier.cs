using System.Runtime.CompilerServices;
using Lahja.Batching;
using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja;

/// <summary>
/// Multi-label Arabic dialect identification with a Hugging Face BERT checkpoint (B2BERT or any 18-dialect
/// multi-label classifier): preprocessing, tokenization, length-sorted batching, the model, thresholds.
/// Thread-safe.
/// </summary>
public sealed class DialectIdentifier : IPassModel, IDisposable
{
    private readonly IDialectEngine _engine;
    private readonly TextPreprocessor _preprocessor;
    private readonly BatchPlanner _fixedPlanner;

    private DialectIdentifier(string directory, BertConfig config, LabelMap labels, BertTokenizer tokenizer, IDialectEngine engine, DialectIdentifierOptions options)
    {
        ModelDirectory = directory;
        Config = config;
        Labels = labels;
        Tokenizer = tokenizer;
        _engine = engine;
        Options = options;
        MaxLength = options.MaxLength ?? throw new ArgumentException("The maximum length must be resolved before construction.", nameof(options));
        Rule = options.Rule;
        _preprocessor = TextPreprocessor.FromPreset(options.Preprocessing);
        _fixedPlanner = BatchPlanner.Fixed(options);
    }

    /// <summary>The checkpoint directory.</summary>
    public string ModelDirectory { get; }

    /// <summary>The checkpoint's config.</summary>
    public BertConfig Config { get; }

    /// <summary>How the checkpoint's outputs map to the dialects.</summary>
    public LabelMap Labels { get; }

    /// <summary>The checkpoint's tokenizer.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>The options in force, completed from the checkpoint's <c>lahja.json</c> and its length limit (<see cref="MaxLength"/>).</summary>
    public DialectIdentifierOptions Options { get; }

    /// <summary>
    /// Maximum tokens per text, [CLS] and [SEP] included: <see cref="DialectIdentifierOptions.MaxLength"/>, else the
    /// checkpoint's own limit (<see cref="DialectIdentifierOptions.DefaultMaxLengthFor"/>).
    /// </summary>
    public int MaxLength { get; }

    /// <summary>The decision rule every prediction is decided with (the options' thresholds, else <c>lahja.json</c>'s, else 0.3).</summary>
    public DecisionRule Rule { get; }

    /// <summary>
    /// Loads a checkpoint: a directory (config.json, weights, vocab.txt or tokenizer.json) or a Hugging Face Hub id
    /// (<c>OWNER/NAME</c>), downloaded into the shared Hub cache the first time it is used.
    /// </summary>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidOperationException">No engine in <see cref="DialectIdentifierOptions.Engine"/>.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the weights do not fit the config; the message lists the problems.</exception>
    public static DialectIdentifier Load(string pathOrHubId, DialectIdentifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pathOrHubId);
        options ??= new DialectIdentifierOptions();
        options.Validate();
        var modelDirectory = !Directory.Exists(pathOrHubId) && ModelLocator.IsHubId(pathOrHubId) ? ModelLocator.Resolve(pathOrHubId) : pathOrHubId;
        if (!Directory.Exists(modelDirectory))
            throw new DirectoryNotFoundException($"Model directory '{modelDirectory}' does not exist.");
        var config = CheckpointFiles.LoadConfig(modelDirectory);
        var labels = LabelMap.FromId2Label(config.Id2Label, Path.Combine(modelDirectory, CheckpointFiles.Config));
        var tokenizer = BertTokenizer.FromDirectory(modelDirectory, options.Tokenizer);
        if (tokenizer.VocabularySize > config.VocabSize)
            throw new InvalidDataException($"'{modelDirectory}': the tokenizer has {tokenizer.VocabularySize} ids but config.json's vocab_size is {config.VocabSize}.");
        options = options with { MaxLength = options.MaxLength ?? DialectIdentifierOptions.DefaultMaxLengthFor(config, tokenizer.Settings) };
        if (options.MaxLength > config.MaxPositionEmbeddings)
            throw new ArgumentOutOfRangeException(nameof(DialectIdentifierOptions.MaxLength), options.MaxLength,
                $"The maximum length must be at most the model's limit of {config.MaxPositionEmbeddings} tokens (max_position_embeddings in config.json).");
        options = LahjaSettings.Complete(modelDirectory, options);
        var factory = options.Engine ?? throw NoEngine();
        if (!factory.CanLoad(modelDirectory))
            throw new FileNotFoundException($"'{modelDirectory}' has no weights the {factory.Name} engine loads.");
        var engine = factory.Create(modelDirectory, config, options.Threads);
        return new DialectIdentifier(modelDirectory, config, labels, tokenizer, engine, options);
    }

    /// <summary>The error of a load without an engine: which package to add, and how to pass its engine.</summary>
    public static InvalidOperationException NoEngine() => new(
        "No inference engine: add the Lahja.Onnx package and pass its engine, " +
        "new DialectIdentifierOptions { Engine = new Lahja.Onnx.OnnxEngineFactory() } (or Lahja.Torch's TorchEngineFactory).");

    /// <summary>
    /// Predicts one text. Empty or whitespace-only text, and text the preprocessing reduces to nothing, is valid: its
    /// prediction <see cref="DialectPrediction.IsEmpty"/>, with no dialects.
    /// </summary>
    public DialectPrediction Predict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Predict([text])[0];
    }

    /// <summary>
    /// Predicts many texts: batches are formed from texts of similar token length (less padding), results come
    /// back in input order. <paramref name="progress"/> receives the number of texts done so far.
    /// </summary>
    public IReadOnlyList<DialectPrediction> Predict(IReadOnlyList<string> texts, IProgress<int>? progress = null) =>
        Predict(texts, _preprocessor, progress);

    /// <summary>
    /// Predicts many texts as <see cref="Predict(IReadOnlyList{string}, IProgress{int}?)"/> does, but preprocessed by
    /// <paramref name="preprocessor"/> instead of the preset in <see cref="Options"/>: one loaded model can serve
    /// callers that want different presets (the HTTP service's per-request <c>preprocess</c>), and
    /// <see cref="TextPreprocessor.None"/> lets a caller preprocess beforehand, on its own threads.
    /// </summary>
    public IReadOnlyList<DialectPrediction> Predict(IReadOnlyList<string> texts, TextPreprocessor preprocessor, IProgress<int>? progress = null) =>
        Predict(texts, preprocessor, _fixedPlanner, progress);

    /// <summary>
    /// Predicts many texts as <see cref="Predict(IReadOnlyList{string}, TextPreprocessor, IProgress{int}?)"/> does, with
    /// the passes cut by <paramref name="planner"/> instead of every <see cref="DialectIdentifierOptions.BatchSize"/>
    /// texts: <see cref="BatchPlanner.CostBased(int, double, int?)"/> suits batches of mixed lengths, such as a server's.
    /// </summary>
    public IReadOnlyList<DialectPrediction> Predict(IReadOnlyList<string> texts, TextPreprocessor preprocessor, BatchPlanner planner, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(planner);
        for (var i = 0; i < texts.Count; i++)
            if (texts[i] is null) throw new ArgumentNullException(nameof(texts), $"Text {i} is null.");
        var encodings = new TokenizedText[texts.Count];
        for (var i = 0; i < texts.Count; i++)
            encodings[i] = Encode(texts[i], preprocessor);
        var order = Options.SortByLength
            ? Enumerable.Range(0, texts.Count).OrderBy(i => encodings[i].Count).ToArray()
            : Enumerable.Range(0, texts.Count).ToArray();
        var results = new DialectPrediction[texts.Count];
        var done = 0;
        foreach (var size in planner.Plan(order.Select(i => encodings[i].Count).ToArray()))
        {
            var chunk = order.AsSpan(done, size).ToArray();
            var predictions = PredictPass(chunk.Select(i => texts[i]).ToArray(), chunk.Select(i => encodings[i]).ToArray());
            for (var row = 0; row < chunk.Length; row++) results[chunk[row]] = predictions[row];
            done += chunk.Length;
            progress?.Report(done);
        }
        return results;
    }

    /// <summary>
    /// Predicts a stream of any length with bounded memory: texts are taken in windows of a few batches, sorted by
    /// length inside each window, and yielded in input order.
    /// </summary>
    public async IAsyncEnumerable<DialectPrediction> PredictAsync(IAsyncEnumerable<string> texts, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var window = new List<string>(Options.BatchSize * 8);
        await foreach (var text in texts.WithCancellation(cancellationToken))
        {
            window.Add(text ?? throw new ArgumentNullException(nameof(texts), "A text in the stream is null."));
            if (window.Count < window.Capacity) continue;
            foreach (var prediction in await Task.Run(() => Predict(window), cancellationToken)) yield return prediction;
            window.Clear();
        }
        if (window.Count > 0)
            foreach (var prediction in await Task.Run(() => Predict(window), cancellationToken)) yield return prediction;
    }

    /// <summary>
    /// Encodes a text as <see cref="Predict(IReadOnlyList{string}, IProgress{int}?)"/> does: <paramref name="preprocessor"/>,
    /// then the tokenizer, truncated to <see cref="MaxLength"/>. With
    /// <see cref="PredictPass"/>, the parts a scheduler of passes (<see cref="PassScheduler"/>) needs.
    /// </summary>
    public TokenizedText Encode(string text, TextPreprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(preprocessor);
        return Tokenizer.Encode(preprocessor.Process(text), MaxLength);
    }

    /// <summary>
    /// Runs one forward pass over <paramref name="encodings"/> (from <see cref="Encode"/>), padded to the longest,
    /// and decides with the options' thresholds; <paramref name="texts"/>, as given (before preprocessing), label the
    /// predictions (<see cref="DialectPrediction.Text"/>). An encoding with no
    /// token but special ones has nothing to classify: its prediction <see cref="DialectPrediction.IsEmpty"/> (no
    /// dialects), for <see cref="EmptyTextReason.EmptyText"/> when its text is blank, else
    /// <see cref="EmptyTextReason.NothingAfterPreprocessing"/>.
    /// </summary>
    public IReadOnlyList<DialectPrediction> PredictPass(IReadOnlyList<string> texts, IReadOnlyList<TokenizedText> encodings)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(encodings);
        if (texts.Count != encodings.Count) throw new ArgumentException($"{texts.Count} texts but {encodings.Count} encodings.", nameof(encodings));
        var probabilities = _engine.PredictProbabilities(Tokenizer.Pad(encodings));
        // Finite weights can still overflow (huge values, a broken config): refuse NaN rather than report it, whatever the engine.
        var bad = Checkpoints.NonFiniteWeightsException.IndexOfNonFinite(probabilities);
        if (bad >= 0)
            throw new InvalidOperationException(
                $"The model produced a non-finite probability ({probabilities[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}) in a batch of {encodings.Count} texts: its weights or config are broken (values too large for float32?).");
        var results = new DialectPrediction[texts.Count];
        for (var row = 0; row < results.Length; row++)
        {
            var reason = encodings[row].SpecialTokensMask.All(special => special)
                ? string.IsNullOrWhiteSpace(texts[row]) ? EmptyTextReason.EmptyText : EmptyTextReason.NothingAfterPreprocessing
                : EmptyTextReason.None;
            results[row] = MakePrediction(texts[row], probabilities.AsSpan(row * _engine.NumLabels, _engine.NumLabels), reason);
        }
        return results;
    }

    /// <summary>
    /// Measures, on this machine and model, the fixed cost of one forward pass in units of one token's cost, for
    /// <see cref="BatchPlanner.CostBased(int, double, int?)"/>: times a 1 × 16 and a 16 × 32 token pass (best of
    /// <paramref name="repeats"/> after a warm-up each), fits time = overhead + tokens × per-token time, and returns
    /// overhead ÷ per-token time (0 to 4,096). Takes a few forward passes: about a second for BERT-base on two cores.
    /// </summary>
    public double MeasurePassOverheadTokens(int repeats = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        const int shortLength = 16, longRows = 16, longLength = 32;
        var small = Time(1, shortLength);
        var large = Time(longRows, longLength);
        var perToken = (large - small) / (longRows * longLength - shortLength);
        if (!(perToken > 0)) return 4096; // the bigger pass was not slower: overhead dominates, never split
        return Math.Clamp((small - shortLength * perToken) / perToken, 0, 4096);

        double Time(int rows, int length)
        {
            // [CLS] word pieces [SEP]: any in-vocabulary id does; every row is full length (no padding).
            var ids = new int[length];
            Array.Fill(ids, Tokenizer.UnkId);
            ids[0] = Tokenizer.ClsId;
            ids[^1] = Tokenizer.SepId;
            var row = new TokenizedText(ids, new string[length], new (int, int)[length], new bool[length], false);
            var batch = Tokenizer.Pad(Enumerable.Repeat(row, rows).ToArray());
            _engine.PredictProbabilities(batch);
            var best = double.PositiveInfinity;
            for (var r = 0; r < repeats; r++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                _engine.PredictProbabilities(batch);
                best = Math.Min(best, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            return best;
        }
    }

    private DialectPrediction MakePrediction(string text, ReadOnlySpan<float> outputs, EmptyTextReason emptyReason)
    {
        var probabilities = new float[Dialects.Count];
        for (var d = 0; d < Dialects.Count; d++) probabilities[d] = outputs[Labels.OutputForDialect[d]];
        return DialectPrediction.Decide(text, probabilities, Rule, Options.TopK, emptyReason);
    }

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();
}
