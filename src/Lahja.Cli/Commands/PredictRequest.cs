using Lahja.Cli.Commands.Shared;

namespace Lahja.Cli.Commands;

/// <summary>What <c>lahja predict</c> was asked to do, bound from its command line (or built directly, as tests do).</summary>
internal sealed record PredictRequest
{
    /// <summary>Directory or Hub id; null: <c>$LAHJA_MODEL</c>, then the bundled model.</summary>
    public string? Model { get; init; }

    /// <summary>Texts given as arguments (none: <see cref="Input"/>, else standard input).</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    /// <summary>The file to read texts from.</summary>
    public FileInfo? Input { get; init; }

    /// <summary>The column of <see cref="Input"/> to classify, by name or 1-based number.</summary>
    public string? Column { get; init; }

    public PredictionFormat Format { get; init; } = PredictionFormat.Table;

    /// <summary>The file to write (atomically); null: standard output.</summary>
    public FileInfo? Output { get; init; }

    /// <summary>The part of <see cref="Input"/> to process.</summary>
    public Shard? Shard { get; init; }

    /// <summary>The identifier's settings, the engine included.</summary>
    public DialectIdentifierOptions Options { get; init; } = new();

    /// <summary>Refuses the combinations that mean nothing.</summary>
    /// <exception cref="UsageException">One of them.</exception>
    public void Validate()
    {
        if (Texts.Count > 0 && Input is not null) throw new UsageException("Give texts as arguments or --input FILE, not both.");
        if (Column is not null && Input is null) throw new UsageException("--column needs --input FILE.");
        if (Shard is not null && Input is null) throw new UsageException("--shard needs --input FILE (every shard reads the same file).");
        if (Shard is not null && Format is not (PredictionFormat.Jsonl or PredictionFormat.Tsv or PredictionFormat.Nadi))
            throw new UsageException("--shard needs --format jsonl, tsv or nadi: only line formats concatenate.");
    }
}
