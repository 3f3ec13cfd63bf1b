using System.Diagnostics;
using System.Globalization;

namespace Lahja.Cli.Tests;

/// <summary>
/// models/mix-gold.awk, the bundled model's recipe step that mixes each tweet's annotated country into the teacher's
/// soft targets: p := (1 − a) p + a [gold]; rows without a gold country are unchanged; a malformed row or a bad alpha
/// stops it with a message naming the line.
/// </summary>
public sealed class MixGoldScriptTests : IDisposable
{
    private static readonly string[] DialectLabels = [.. Dialects.All.Select(d => d.Label())];
    private readonly string _folder = Directory.CreateTempSubdirectory("lahja-mix-gold-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Mixes_the_gold_country_into_the_soft_targets_and_its_label()
    {
        var teacher = Enumerable.Range(0, 18).Select(i => 0.01 + 0.05 * i).ToArray();
        var labels = WriteLabels(("Syria", teacher), ("", teacher));
        var (code, output, error) = Run("0.25", labels);
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split('\t');
        var mixed = lines[1].Split('\t');
        var untouched = lines[2].Split('\t');
        for (var d = 0; d < 18; d++)
        {
            var column = Array.IndexOf(header, "p_" + DialectLabels[d]);
            var expected = (0.75 * teacher[d]) + (DialectLabels[d] == "Syria" ? 0.25 : 0);
            Assert.Equal(expected, double.Parse(mixed[column], CultureInfo.InvariantCulture), 5);
            Assert.Equal(teacher[d], double.Parse(untouched[column], CultureInfo.InvariantCulture), 9);
        }
        Assert.Equal("1", mixed[Array.IndexOf(header, "Syria")]);
    }

    [Fact]
    public void A_row_with_a_missing_field_stops_it_naming_the_line()
    {
        var labels = WriteLabels(("Egypt", new double[18]));
        File.AppendAllText(labels, "short\trow\n");
        var (code, _, error) = Run("0.5", labels);
        Assert.Equal(2, code);
        Assert.Contains(labels + ":3: 2 fields", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.5")]
    public void An_alpha_outside_zero_to_one_is_refused(string alpha)
    {
        var (code, _, error) = Run(alpha, WriteLabels(("Egypt", new double[18])));
        Assert.Equal(2, code);
        Assert.Contains("set -v alpha=A with 0 <= A <= 1", error);
    }

    // The layout `lahja pseudo-label` writes: text columns, the 18 label columns, gold, then p_<dialect>.
    private string WriteLabels(params (string Gold, double[] Probabilities)[] rows)
    {
        var path = Path.Combine(_folder, "labels.tsv");
        var lines = new List<string> { string.Join('\t', new[] { "id", "text" }.Concat(DialectLabels).Append("gold").Concat(DialectLabels.Select(d => "p_" + d))) };
        var id = 0;
        foreach (var (gold, probabilities) in rows)
        {
            lines.Add(string.Join('\t', new[] { $"TRAIN_{id++}", "نص" }.Concat(DialectLabels.Select(_ => "0")).Append(gold)
                .Concat(probabilities.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))));
        }
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private static (int Code, string Output, string Error) Run(string alpha, string labels)
    {
        var start = new ProcessStartInfo("awk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-v", "alpha=" + alpha, "-f", Path.Combine(CliRunner.RepositoryRoot, "models", "mix-gold.awk"), labels })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}
