namespace Lahja.Distillation.Tests;

public sealed class AnswerParserTests
{
    private static string All(Func<DialectInfo, string> value) =>
        "{" + string.Join(", ", Dialects.Table.Select(d => $"\"{d.Label}\": {value(d)}")) + "}";

    [Fact]
    public void Reads_numbers_strings_booleans_fences_and_key_spellings()
    {
        var answer = "```json\n" + All(d => d.Dialect switch { Dialect.Egypt => "1", Dialect.Sudan => "\"1\"", Dialect.Iraq => "true", Dialect.Yemen => "\"yes\"", _ => "0" })
            .Replace("\"Saudi_Arabia\"", "\"saudi arabia\"").Replace("\"UAE\"", "\"United Arab Emirates\"") + "\n```";
        Assert.True(AnswerParser.TryParse(answer, out var labels, out var error), error);
        Assert.Equal([Dialect.Egypt, Dialect.Iraq, Dialect.Sudan, Dialect.Yemen], Dialects.All.Where(d => labels[(int)d]));
    }

    [Fact]
    public void Reads_an_object_nested_under_one_key()
    {
        Assert.True(AnswerParser.TryParse("{\"dialects\": " + All(d => d.Dialect == Dialect.Oman ? "1" : "0") + "}", out var labels, out _));
        Assert.True(labels[(int)Dialect.Oman]);
        Assert.Equal(1, labels.Count(x => x));
    }

    [Theory]
    [InlineData("I think it's Egyptian.", "no JSON object")]
    [InlineData("{\"Egypt\": 1, ", "no JSON object")]
    [InlineData("{\"Egypt\": 1 \"Sudan\": 0}", "malformed JSON")]
    public void Rejects_answers_without_a_readable_object(string answer, string expected)
    {
        Assert.False(AnswerParser.TryParse(answer, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Rejects_a_missing_dialect_an_unknown_key_and_other_values_rather_than_guessing()
    {
        var missing = All(_ => "0").Replace(", \"Yemen\": 0", "");
        Assert.False(AnswerParser.TryParse(missing, out _, out var error));
        Assert.Equal("missing Yemen", error);
        Assert.False(AnswerParser.TryParse(All(_ => "0").Replace("}", ", \"Mauritania\": 1}"), out _, out error));
        Assert.Contains("Mauritania", error);
        Assert.False(AnswerParser.TryParse(All(d => d.Dialect == Dialect.Libya ? "0.5" : "0"), out _, out error));
        Assert.Contains("Libya", error);
        Assert.False(AnswerParser.TryParse(All(_ => "0").Replace("}", ", \"Saudi Arabia\": 1}"), out _, out error));
        Assert.Contains("twice", error);
    }
}
