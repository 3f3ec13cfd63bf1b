using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lahja.Distillation;

/// <summary>
/// Writes pseudo-labels in the training data format: a table (TSV, or CSV for <c>.csv</c>) with <c>id</c>,
/// <c>source</c>, <c>text</c>, the 18 dialect columns of 0/1, <c>gold</c>, <c>teacher</c>, <c>prompt_version</c>,
/// <c>answer_hash</c> and, when the teachers give probabilities, <c>p_&lt;dialect&gt;</c> soft targets; or JSONL for
/// <c>.jsonl</c>. <c>lahja train --train FILE</c> reads it directly. Written atomically.
/// </summary>
public static class PseudoLabelFile
{
    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/>; returns how many texts had tabs or line breaks replaced by spaces (TSV only).</summary>
    /// <param name="path">The file (.tsv, .csv or .jsonl).</param>
    /// <param name="rows">The rows.</param>
    /// <param name="header">False for a shard after the first: a table's header line is written by the first shard only.</param>
    public static int Write(string path, IReadOnlyList<PseudoLabel> rows, bool header = true)
    {
        var replaced = 0;
        var withProbabilities = rows.Count > 0 && rows.All(r => r.Probabilities is not null);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                foreach (var r in rows)
                    writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["id"] = r.Id, ["source"] = r.Source, ["text"] = r.Text,
                        ["dialects"] = Dialects.All.Where(d => r.Labels[(int)d]).Select(d => d.Label()).ToArray(),
                        ["gold"] = r.Gold?.Label(), ["teacher"] = r.Teacher, ["prompt_version"] = r.Version, ["answer_hash"] = r.AnswerHash,
                        ["probabilities"] = r.Probabilities is null ? null : Dialects.All.ToDictionary(d => d.Label(), d => r.Probabilities[(int)d]),
                    }, options));
                return;
            }
            var csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
            var separator = csv ? "," : "\t";
            var columns = new List<string> { "id", "source", "text" };
            columns.AddRange(Dialects.Table.Select(d => d.Label));
            columns.AddRange(["gold", "teacher", "prompt_version", "answer_hash"]);
            if (withProbabilities) columns.AddRange(Dialects.Table.Select(d => "p_" + d.Label));
            if (header) writer.WriteLine(string.Join(separator, columns));
            foreach (var r in rows)
            {
                var fields = new List<string> { r.Id, r.Source, r.Text };
                fields.AddRange(r.Labels.Select(x => x ? "1" : "0"));
                fields.AddRange([r.Gold?.Label() ?? "", r.Teacher, r.Version, r.AnswerHash]);
                if (withProbabilities) fields.AddRange(r.Probabilities!.Select(p => p.ToString("R", CultureInfo.InvariantCulture)));
                writer.WriteLine(string.Join(separator, fields.Select(f => csv ? Csv(f) : Tsv(f, ref replaced))));
            }
        });
        return replaced;
    }

    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"").Replace('\r', ' ').Replace('\n', ' ') + "\"";

    private static string Tsv(string field, ref int replaced)
    {
        if (field.AsSpan().IndexOfAny("\t\r\n") < 0) return field;
        replaced++;
        return field.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
    }
}
