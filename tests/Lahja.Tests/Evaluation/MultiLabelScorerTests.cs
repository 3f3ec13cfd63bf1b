using System.Text.Json;
using Lahja.Evaluation;

namespace Lahja.Tests.Evaluation;

public class MultiLabelScorerTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> OfficialVectors => new() { "dev2_pred_b2bert.txt", "dev2_pred_all_zero.txt", "dev2_pred_all_one.txt", "dev2_pred_random_seed7.txt" };

    [Theory]
    [MemberData(nameof(OfficialVectors))]
    public void Reproduces_the_official_scorer_vectors(string prediction)
    {
        var data = ReferenceTools.SharedData;
        Assert.SkipWhen(data is null, "../shared/data is absent: the official vectors live there (the synthetic vector is checked regardless).");
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(data!, "scorer", "expected.json")));
        var gold = NadiFiles.ReadGold(Path.Combine(data!, "nadi", "mladi-dev", "NADI2024_subtask1_dev2_gold.txt"));
        var scores = MultiLabelScorer.Score(gold, NadiFiles.ReadPredictions(Path.Combine(data!, "scorer", prediction)));
        var e = expected.RootElement.GetProperty("expected").GetProperty(prediction);
        Assert.Equal(e.GetProperty("macro_precision").GetDouble(), scores.MacroPrecision, Tolerance);
        Assert.Equal(e.GetProperty("macro_recall").GetDouble(), scores.MacroRecall, Tolerance);
        Assert.Equal(e.GetProperty("macro_f1").GetDouble(), scores.MacroF1, Tolerance);
        Assert.Equal(e.GetProperty("macro_accuracy").GetDouble(), scores.MacroAccuracy, Tolerance);
        Assert.Equal(expected.RootElement.GetProperty("scored_dialects").EnumerateArray().Select(x => x.GetString()), scores.PerDialect.Select(d => d.Dialect.Label()));
    }

    [Fact]
    public void Reproduces_the_synthetic_vector_and_its_console_lines()
    {
        var dir = Path.Combine(ReferenceTools.FixturesDirectory, "scorer");
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "synthetic_expected.json")));
        var scores = MultiLabelScorer.Score(NadiFiles.ReadGold(Path.Combine(dir, "synthetic_gold.txt")), NadiFiles.ReadPredictions(Path.Combine(dir, "synthetic_pred.txt")));
        var e = expected.RootElement.GetProperty("expected");
        Assert.Equal(e.GetProperty("macro_precision").GetDouble(), scores.MacroPrecision, Tolerance);
        Assert.Equal(e.GetProperty("macro_recall").GetDouble(), scores.MacroRecall, Tolerance);
        Assert.Equal(e.GetProperty("macro_f1").GetDouble(), scores.MacroF1, Tolerance);
        Assert.Equal(e.GetProperty("macro_accuracy").GetDouble(), scores.MacroAccuracy, Tolerance);
        Assert.Equal(expected.RootElement.GetProperty("official_lines").EnumerateArray().Select(x => x.GetString()), MultiLabelScorer.OfficialLines(scores));
    }

    [Fact]
    public void Hand_computed_case_with_undefined_precision_and_recall()
    {
        // Algeria: TP 1, FP 1, FN 1, TN 1. Egypt: never predicted (precision undefined -> 0), 2 gold positives.
        // Jordan: no gold positive, predicted once (recall undefined -> 0). Others unannotated.
        bool?[] G(bool a, bool e, bool j) { var g = new bool?[18]; g[0] = a; g[2] = e; g[4] = j; return g; }
        bool[] P(bool a, bool e, bool j, bool extra = false) { var p = new bool[18]; p[0] = a; p[2] = e; p[4] = j; p[17] = extra; return p; }
        var gold = new[] { G(true, true, false), G(true, false, false), G(false, true, false), G(false, false, false) };
        var pred = new IReadOnlyList<bool>[] { P(true, false, false, true), P(false, false, false), P(true, false, true), P(false, false, false) };
        var s = MultiLabelScorer.Score(gold, pred);
        Assert.Equal([Dialect.Algeria, Dialect.Egypt, Dialect.Jordan], s.PerDialect.Select(d => d.Dialect));
        var algeria = s.PerDialect[0];
        Assert.Equal((50.0, 50.0, 50.0, 50.0, 2), (algeria.Precision, algeria.Recall, algeria.F1, algeria.Accuracy, algeria.Support));
        var egypt = s.PerDialect[1];
        Assert.Equal((0.0, 0.0, 0.0, 50.0), (egypt.Precision, egypt.Recall, egypt.F1, egypt.Accuracy));
        var jordan = s.PerDialect[2];
        Assert.Equal((0.0, 0.0, 0.0, 75.0), (jordan.Precision, jordan.Recall, jordan.F1, jordan.Accuracy));
        Assert.Equal(50.0 / 3, s.MacroPrecision, 9);
        Assert.Equal(50.0 / 3, s.MacroF1, 9);
        Assert.Equal(175.0 / 3, s.MacroAccuracy, 9);
        // Micro over scored dialects: TP 1, FP 2, FN 3.
        Assert.Equal(100.0 / 3, s.MicroPrecision, 9);
        Assert.Equal(25.0, s.MicroRecall, 9);
        Assert.Equal(100.0 * 2 / 7, s.MicroF1, 9);
        Assert.Equal(25.0, s.ExactMatch, 9); // only the last sentence is right on all three
        Assert.Equal(100.0 * 5 / 12, s.HammingLoss, 9);
        Assert.Equal(4.0 / 4, s.MeanPredictedSetSize, 9); // 2 + 0 + 2 + 0 predicted positives over 18 dialects
    }

    [Fact]
    public void Macro_f1_is_the_mean_of_f1s_not_the_f1_of_means()
    {
        bool?[] G(bool a, bool b) { var g = new bool?[18]; g[0] = a; g[1] = b; return g; }
        bool[] P(bool a, bool b) { var p = new bool[18]; p[0] = a; p[1] = b; return p; }
        var s = MultiLabelScorer.Score([G(true, true), G(false, true)], [P(true, false), P(true, true)]);
        // Algeria P 50 R 100 F1 66.67; Bahrain P 100 R 50 F1 66.67 -> macro F1 66.67 though macro P = macro R = 75.
        Assert.Equal(200.0 / 3, s.MacroF1, 9);
        Assert.Equal(75.0, s.MacroPrecision, 9);
    }

    [Fact]
    public void Line_count_mismatch_and_blank_scored_dialects_are_errors()
    {
        var g = new bool?[18];
        g[0] = true;
        Assert.Contains("2 lines but", Assert.Throws<InvalidDataException>(() => MultiLabelScorer.Score([g, g], [new bool[18]])).Message);
        Assert.Contains(":2: Algeria is blank", Assert.Throws<InvalidDataException>(() => MultiLabelScorer.Score([g, new bool?[18]], [new bool[18], new bool[18]])).Message);
    }
}

public sealed class NadiFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lahja-nadi-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string content)
    {
        var path = Path.Combine(_dir, "f.txt");
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [InlineData("1,0\n", ":1: 2 comma-separated values, expected 18")]
    [InlineData("0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,y\n", ":2: value 18 (Yemen) is 'y', expected 0 or 1")]
    [InlineData("0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n\n0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n", ":2: empty line")]
    public void Malformed_prediction_lines_name_file_line_and_problem(string content, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => NadiFiles.ReadPredictions(Write(content)));
        Assert.Contains("f.txt" + expected, e.Message);
    }

    [Fact]
    public void Gold_accepts_blanks_and_crlf()
    {
        var rows = NadiFiles.ReadGold(Write("1,,0,,,,,,,,,,,,,,,1\r\n"));
        Assert.Equal(true, rows[0][0]);
        Assert.Null(rows[0][1]);
        Assert.Equal(false, rows[0][2]);
        Assert.Contains("expected 0 or 1.", Assert.Throws<InvalidDataException>(() => NadiFiles.ReadPredictions(Write("1,,0,,,,,,,,,,,,,,,1\n"))).Message);
    }
}
