using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Lahja.Cli.Commands;

/// <summary>Output formats of <c>lahja predict</c>.</summary>
internal enum PredictionFormat
{
    /// <summary>A table for people (collected, then drawn).</summary>
    Table,
    /// <summary>One JSON array.</summary>
    Json,
    /// <summary>One JSON object per input line.</summary>
    Jsonl,
    /// <summary>Tab-separated: text, 18 probabilities, predicted dialects.</summary>
    Tsv,
    /// <summary>The NADI 2024 scorer's prediction format: 18 comma-separated 0/1 values.</summary>
    Nadi,
}

/// <summary>Writes predictions in one of the <see cref="PredictionFormat"/>s, streaming where the format allows.</summary>
/// <param name="output">Where to write.</param>
/// <param name="format">The format.</param>
/// <param name="writeHeader">False for a shard after the first: the TSV header is written once, by the first shard.</param>
internal sealed class PredictionWriter(TextWriter output, PredictionFormat format, bool writeHeader = true)
{
    // A table's column widths depend on every row, so its rows wait for Finish: as their three cells, not whole predictions.
    private readonly List<(string Text, string Dialects, string Top)> _table = [];
    private bool _started;

    public void Write(DialectPrediction prediction)
    {
        switch (format)
        {
            case PredictionFormat.Table:
                _table.Add(TableRow(prediction));
                break;
            case PredictionFormat.Json:
                output.Write(_started ? ",\n" : "[\n");
                output.Write(JsonSerializer.Serialize(ToRecord(prediction), CliApp.Json));
                break;
            case PredictionFormat.Jsonl:
                output.WriteLine(JsonSerializer.Serialize(ToRecord(prediction), CliApp.Json));
                break;
            case PredictionFormat.Tsv:
                if (!_started && writeHeader) output.WriteLine("text\t" + string.Join('\t', Dialects.Table.Select(d => d.Label)) + "\tdialects");
                output.WriteLine(string.Join('\t',
                    new[] { Clean(prediction.Text) }
                        .Concat(prediction.Probabilities.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))
                        .Append(string.Join(',', prediction.Dialects.Select(d => d.Label)))));
                break;
            case PredictionFormat.Nadi:
                var chosen = prediction.Dialects.Select(d => d.Dialect).ToHashSet();
                output.WriteLine(string.Join(',', Dialects.All.Select(d => chosen.Contains(d) ? '1' : '0')));
                break;
        }
        _started = true;
    }

    public void Finish()
    {
        if (format == PredictionFormat.Json) output.WriteLine(_started ? "\n]" : "[]");
        if (format != PredictionFormat.Table) return;
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Text", "Predicted dialects", "Top");
        foreach (var (text, dialects, top) in _table)
            table.AddRow(new Spectre.Console.Text(text), new Spectre.Console.Text(dialects), new Spectre.Console.Text(top));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        console.Write(table);
    }

    private static (string Text, string Dialects, string Top) TableRow(DialectPrediction p) => (
        p.Text.Length > 60 ? p.Text[..57] + "…" : p.Text,
        p.EmptyReason switch
        {
            EmptyTextReason.EmptyText => "— (empty text)",
            EmptyTextReason.NothingAfterPreprocessing => "— (nothing left to classify after preprocessing)",
            _ when p.Dialects.Count == 0 => "—",
            _ => string.Join(", ", p.Dialects.Select(d => $"{d.Label} {d.Probability:0.00}")),
        },
        string.Join(", ", p.Top.Select(d => $"{d.Label} {d.Probability:0.00}")));

    private static string Clean(string text) => text.Replace('\t', ' ').ReplaceLineEndings(" ");

    private static PredictionRecord ToRecord(DialectPrediction p) => new(
        p.Text,
        Dialects.All.ToDictionary(d => d.Label(), d => p.Probabilities[(int)d]),
        p.Dialects.Select(d => d.Label).ToArray(),
        p.Top.Select(d => new TopRecord(d.Label, d.Probability)).ToArray(),
        Dialects.Regions.ToDictionary(r => r.EnglishName(), r => p.Regions[(int)r]),
        EmptyReasonName(p));

    /// <summary>Why a text had nothing to classify, as JSON names it (<c>empty_text</c>, <c>nothing_after_preprocessing</c>), or null.</summary>
    internal static string? EmptyReasonName(DialectPrediction p) =>
        p.IsEmpty ? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.EmptyReason.ToString()) : null;

    // Dictionary order is insertion order for System.Text.Json, so probabilities keep the canonical dialect order.
    private sealed record PredictionRecord(string Text, Dictionary<string, float> Probabilities, string[] Dialects, TopRecord[] Top, Dictionary<string, double> Regions, string? EmptyReason);

    private sealed record TopRecord(string Dialect, float Probability);
}
