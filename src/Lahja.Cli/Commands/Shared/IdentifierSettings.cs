using System.CommandLine;

namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// The options of a command that become <see cref="DialectIdentifierOptions"/>: each command names the ones it takes
/// (from <see cref="CommonOptions"/>); the others keep the library's defaults. <see cref="Bind"/> reads them all in one
/// place, so every command passes a setting to the library the same way (and a value out of range is refused by the
/// library, named by its option: <see cref="CliApp.Guard"/>).
/// </summary>
internal sealed class IdentifierSettings
{
    public Option<float?>? Threshold { get; init; }
    public Option<float?>? RelativeThreshold { get; init; }
    public Option<int>? TopK { get; init; }
    public Option<string>? Preprocessing { get; init; }
    public Option<int>? BatchSize { get; init; }
    public Option<int?>? MaxBatchTokens { get; init; }
    public Option<int?>? Threads { get; init; }
    public Option<int?>? MaxLength { get; init; }

    /// <summary>Whether the command runs a model here (<c>--engine</c>, <c>--precision</c>).</summary>
    public bool Engine { get; init; }

    /// <summary>Adds the options to <paramref name="command"/>, in the order of the properties, then the engine's.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option?[] { Threshold, RelativeThreshold, TopK, Preprocessing, BatchSize, MaxBatchTokens, Threads, MaxLength })
            if (option is not null) command.Options.Add(option);
        if (Engine) command.AddEngineOptions();
    }

    /// <summary>The identifier's options from <paramref name="parse"/>: the library's defaults for the options the command lacks.</summary>
    /// <exception cref="UsageException">The engine options contradict each other (<see cref="EngineSelection.Factory"/>).</exception>
    public DialectIdentifierOptions Bind(ParseResult parse)
    {
        var defaults = CommonOptions.Defaults;
        return defaults with
        {
            Threshold = Threshold is null ? defaults.Threshold : parse.GetValue(Threshold),
            RelativeThreshold = RelativeThreshold is null ? defaults.RelativeThreshold : parse.GetValue(RelativeThreshold),
            TopK = TopK is null ? defaults.TopK : parse.GetValue(TopK),
            Preprocessing = Preprocessing is null ? defaults.Preprocessing : parse.GetValue(Preprocessing)!,
            BatchSize = BatchSize is null ? defaults.BatchSize : parse.GetValue(BatchSize),
            MaxBatchTokens = MaxBatchTokens is null ? defaults.MaxBatchTokens : CommonOptions.TokenBudget(parse.GetValue(MaxBatchTokens)),
            Threads = Threads is null ? defaults.Threads : parse.GetValue(Threads),
            MaxLength = MaxLength is null ? defaults.MaxLength : parse.GetValue(MaxLength),
            Engine = Engine ? EngineSelection.Factory(parse) : defaults.Engine,
        };
    }
}
