using System.CommandLine;
using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// The architecture of a model built from scratch (<c>train --vocab</c>, <c>pretrain --vocab</c>): layers, hidden
/// size, heads, feed-forward size and initial weights' spread, the config they make with a vocabulary, and the choice
/// between that and a checkpoint (<c>--init</c>) that both commands make.
/// </summary>
internal sealed class ArchitectureOptions
{
    public Option<int> Layers { get; } = new Option<int>("--layers") { Description = "From scratch: encoder layers.", DefaultValueFactory = _ => 4 }.Within(1);
    public Option<int> Hidden { get; } = new Option<int>("--hidden") { Description = "From scratch: hidden size.", DefaultValueFactory = _ => 256 }.Within(1);
    public Option<int> Heads { get; } = new Option<int>("--heads") { Description = "From scratch: attention heads.", DefaultValueFactory = _ => 4 }.Within(1);
    public Option<int?> Intermediate { get; } = new("--intermediate") { Description = "From scratch: feed-forward size (default 4 × hidden)." };
    public Option<double> InitializerRange { get; } = new Option<double>("--initializer-range")
    {
        Description = "From scratch: standard deviation of the initial weights (BERT's; larger can shorten a small model's early plateau).",
        DefaultValueFactory = _ => new BertConfig().InitializerRange,
    }.Above(0.0);

    /// <summary>The options, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Layers, Hidden, Heads, Intermediate, InitializerRange];

    /// <summary>
    /// Usage errors found before any work: both <c>--init</c> and <c>--vocab</c>, or an architecture option with
    /// <c>--init</c> (a checkpoint's architecture is its config's; silently ignoring <c>--layers 6</c> would train
    /// something other than what was asked for).
    /// </summary>
    public void Validate(ParseResult parse, Option<string?> init, Option<DirectoryInfo?> vocab)
    {
        if (parse.GetValue(init) is null) return;
        if (parse.GetValue(vocab) is not null)
            throw new UsageException("Give --init MODEL to start from a checkpoint or --vocab DIR to start from scratch, not both.");
        var given = All.Where(option => parse.GetResult(option) is { Implicit: false }).Select(option => option.Name).ToList();
        if (given.Count > 0)
            throw new UsageException($"{string.Join(", ", given)} only apply from scratch (--vocab); with --init the architecture is the checkpoint's config.");
    }

    /// <summary>
    /// What a run starts from: the checkpoint of <c>--init</c> (its config, tokenizer and weights), or a new model over
    /// the vocabulary of <c>--vocab</c> with these options' architecture.
    /// </summary>
    /// <exception cref="UsageException">Neither was given.</exception>
    public (BertConfig Config, string TokenizerDirectory, string? InitialWeights) Start(
        ParseResult parse, Option<string?> init, Option<DirectoryInfo?> vocab, int maxLength, CliIO io, string purpose)
    {
        Validate(parse, init, vocab);
        if (parse.GetValue(init) is { } start)
        {
            var weights = ModelOption.Resolve(start, io);
            return (CheckpointFiles.LoadConfig(weights), weights, weights);
        }
        if (parse.GetValue(vocab) is { } vocabulary)
            return (Config(parse, vocabulary.FullName, maxLength), vocabulary.FullName, null);
        throw new UsageException($"Give --init MODEL to {purpose} a checkpoint, or --vocab DIR to start from scratch.");
    }

    /// <summary>The config of a new model over the vocabulary in <paramref name="vocabularyDirectory"/>.</summary>
    public BertConfig Config(ParseResult parse, string vocabularyDirectory, int maxLength)
    {
        var size = BertTokenizer.FromDirectory(vocabularyDirectory).VocabularySize;
        var hidden = parse.GetValue(Hidden);
        var config = new BertConfig
        {
            VocabSize = size, HiddenSize = hidden, NumHiddenLayers = parse.GetValue(Layers), NumAttentionHeads = parse.GetValue(Heads),
            IntermediateSize = parse.GetValue(Intermediate) ?? 4 * hidden, MaxPositionEmbeddings = Math.Max(128, maxLength),
            InitializerRange = parse.GetValue(InitializerRange),
        };
        config.Validate("--hidden/--heads");
        return config;
    }
}
