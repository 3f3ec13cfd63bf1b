using System.Text;
using System.Text.Json;
using Lahja.Data;

namespace Lahja.Cli.Tests;

/// <summary>Inputs at the edges: huge lines, UTF-16, tables without --column, texts with nothing to classify (issue 12, section 6).</summary>
public sealed class InputEdgeTests : IDisposable
{
    private static readonly string Model = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-edges-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private string WorkFile(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void A_huge_line_is_cut_to_the_cap_with_a_warning_naming_it_and_the_others_are_kept()
    {
        // About 33 MB on one line: far past the cap, small enough for CI.
        const string word = "شلونك ";
        var path = Path.Combine(_work, "huge.txt");
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            writer.Write("كيفك\n");
            for (var i = 0; i < 3_000_000; i++) writer.Write(word);
            writer.Write("\nشو عم تعمل\n");
        }
        Assert.True(new FileInfo(path).Length > 30_000_000);
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "-i", path, "-f", "jsonl");
        Assert.True(code == 0, error);
        Assert.Contains($"{path}:2: longer than 100,000 characters", error);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal("كيفك", rows[0]);
        Assert.Equal(TextInput.MaxLineCharacters, rows[1].Length);
        Assert.StartsWith(word + word, rows[1], StringComparison.Ordinal);
        Assert.Equal("شو عم تعمل", rows[2]);
    }

    [Fact]
    public void A_huge_line_is_cut_on_a_character_boundary()
    {
        // One ASCII byte then 4-byte characters: the byte cap falls inside a character, which must not become invalid UTF-8.
        var path = Path.Combine(_work, "emoji.txt");
        File.WriteAllText(path, "x" + string.Concat(Enumerable.Repeat("😀", 150_000)) + "\n", new UTF8Encoding(false));
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "-i", path, "-f", "jsonl");
        Assert.True(code == 0, error);
        Assert.Contains($"{path}:1: longer than", error);
        var text = JsonDocument.Parse(output).RootElement.GetProperty("text").GetString()!;
        Assert.True(text.Length <= TextInput.MaxLineCharacters);
        Assert.False(char.IsHighSurrogate(text[^1]));
        Assert.StartsWith("x😀", text);
    }

    [Fact]
    public void A_huge_line_on_standard_input_is_cut_with_a_warning()
    {
        var line = string.Concat(Enumerable.Repeat("كيف ", 80_000));
        var (code, output, error) = CliRunner.Run("قبل\n" + line + "\nبعد\n", "preprocess", "--preset", "none");
        Assert.True(code == 0, error);
        Assert.Contains("standard input:2: longer than 100,000 characters", error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["قبل", line[..TextInput.MaxLineCharacters], "بعد"], lines);
    }

    [Fact]
    public void Utf16_without_a_byte_order_mark_is_refused_naming_file_and_line()
    {
        var path = Path.Combine(_work, "utf16.txt");
        File.WriteAllText(path, "شلونك\nكيفك حبيبي\n", new UnicodeEncoding(bigEndian: false, byteOrderMark: false));
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "-i", path, "-f", "jsonl");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains($"{path}:", error);
        Assert.Contains("not UTF-8", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Nul_characters_on_standard_input_are_refused()
    {
        var (code, _, error) = CliRunner.Run("ok\nا\0ب\n", "predict", "-m", Model);
        Assert.Equal(1, code);
        Assert.Contains("standard input:2:", error);
        Assert.Contains("not UTF-8", error);
    }

    [Theory]
    [InlineData("in.tsv", "id\tsentence\tlabel\n1\tشلونك\tIraq\n2\tكيفك\tSyria\n")]
    [InlineData("in.csv", "id,sentence,label\n1,\"شلونك, حبيبي\",Iraq\n")]
    public void A_table_without_column_is_a_usage_error_listing_its_columns(string name, string content)
    {
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "-i", WorkFile(name, content));
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--column", error);
        Assert.Contains("1 'id', 2 'sentence', 3 'label'", error);
    }

    [Theory]
    [InlineData("in.txt", "شلونك, حبيبي\nكيفك, شو\n")]         // commas in plain text: not a table, whatever the extension says nothing
    [InlineData("in.txt", "واحد\tاثنان\nثلاثة\tأربعة\n")]      // tabs in a .txt file: still one text per line
    [InlineData("in.csv", "شلونك, حبيبي\nكيفك\nشو, عم, تعمل\n")] // a .csv whose lines do not agree on their fields
    public void Plain_lines_with_commas_or_tabs_are_still_texts(string name, string content)
    {
        var (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "-i", WorkFile(name, content), "-f", "jsonl");
        Assert.True(code == 0, error);
        Assert.Equal(content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Texts_with_nothing_to_classify_get_no_dialects_and_say_why()
    {
        // Threshold 0 would predict every dialect of any probability: an empty text must still get none.
        var (code, output, error) = CliRunner.Run("\n   \nhello world 123\nشلونك\n", "predict", "-m", Model, "-f", "jsonl", "--threshold", "0");
        Assert.True(code == 0, error);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(4, rows.Length);
        string?[] reasons = ["empty_text", "empty_text", "nothing_after_preprocessing", null];
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(reasons[i], rows[i].GetProperty("empty_reason").GetString());
            Assert.Equal(reasons[i] is null ? Dialects.All.Count : 0, rows[i].GetProperty("dialects").GetArrayLength());
        }
        Assert.Equal(0, rows[0].GetProperty("top").GetArrayLength());
        Assert.Equal(0, rows[2].GetProperty("top").GetArrayLength());

        // Without preprocessing the Latin words are the model's to read.
        (code, output, error) = CliRunner.Run("", "predict", "-m", Model, "-f", "jsonl", "--preprocess", "none", "hello world 123");
        Assert.True(code == 0, error);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(output).RootElement.GetProperty("empty_reason").ValueKind);

        (code, output, error) = CliRunner.Run("\nhello\n", "predict", "-m", Model);
        Assert.True(code == 0, error);
        Assert.Contains("(empty text)", output);
        Assert.Contains("(nothing left to classify after preprocessing)", output);
    }

    [Fact]
    public void The_library_flags_empty_texts_with_no_dialects_and_keeps_the_models_probabilities()
    {
        using var identifier = TestModels.Load(Model, new DialectIdentifierOptions { Threshold = 0 });
        var predictions = identifier.Predict(["", " \t ", "hello world 123", "شلونك"]);
        Assert.Equal([EmptyTextReason.EmptyText, EmptyTextReason.EmptyText, EmptyTextReason.NothingAfterPreprocessing, EmptyTextReason.None],
            predictions.Select(p => p.EmptyReason));
        Assert.All(predictions.Take(3), p => Assert.True(p.IsEmpty && p.Dialects.Count == 0 && p.Top.Count == 0));
        Assert.False(predictions[3].IsEmpty);
        Assert.Equal(Dialects.All.Count, predictions[3].Dialects.Count);
        // The probabilities are the model's for [CLS] [SEP], as transformers gives them for "" (the parity tests compare them).
        using var plain = TestModels.Load(Model, new DialectIdentifierOptions { Preprocessing = "none" });
        var unprocessed = plain.Predict("");
        Assert.True(unprocessed.IsEmpty);
        for (var d = 0; d < Dialects.All.Count; d++)
            Assert.Equal(unprocessed.Probabilities[d], predictions[2].Probabilities[d], 1e-6);
    }
}
