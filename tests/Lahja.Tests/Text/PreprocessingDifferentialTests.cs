using Lahja.Text;

namespace Lahja.Tests.Text;

/// <summary>
/// C# <c>b2bert</c> preset vs the Python reference (tools/reference/b2bert_preprocess.py). Tolerance: none — every
/// output must be identical, character for character.
/// </summary>
public class PreprocessingDifferentialTests
{
    [Fact]
    public void Adversarial_list_matches_the_committed_reference_output()
    {
        var inputs = ReferenceTools.ReadJsonLines(ReferenceTools.Fixture("adversarial.jsonl"));
        var expected = ReferenceTools.ReadJsonLines(ReferenceTools.Fixture("adversarial.b2bert.expected.jsonl"));
        AssertSame(inputs, expected);
    }

    [Fact]
    public void Committed_reference_output_is_current()
    {
        var python = ReferenceTools.Python;
        Assert.SkipWhen(python is null, "/usr/bin/python3 is not installed: the committed fixture was checked instead.");
        var live = ReferenceTools.ParseJsonStrings(ReferenceTools.Run(python!, "b2bert_preprocess.py", ReferenceTools.Fixture("adversarial.jsonl")));
        var committed = ReferenceTools.ReadJsonLines(ReferenceTools.Fixture("adversarial.b2bert.expected.jsonl"));
        Assert.True(live.SequenceEqual(committed), "tests/Lahja.Tests/Fixtures/adversarial.b2bert.expected.jsonl is stale: run tools/reference/regenerate_fixtures.sh");
    }

    [Fact]
    public void Python_unicode_tables_match_the_running_python()
    {
        var python = ReferenceTools.Python;
        Assert.SkipWhen(python is null, "/usr/bin/python3 is not installed.");
        var version = ReferenceTools.Run(python!, "-c", "import unicodedata; print(unicodedata.unidata_version)").Trim();
        Assert.Equal(PythonUnicode.UnicodeVersion, version);
    }

    [Fact]
    public void Every_nadi_tweet_matches_python()
    {
        var data = ReferenceTools.SharedData;
        Assert.SkipWhen(data is null, "../shared/data is absent: the NADI comparison needs the NADI tweets.");
        var python = ReferenceTools.Python;
        Assert.SkipWhen(python is null, "/usr/bin/python3 is not installed: the NADI comparison needs the Python reference.");
        var texts = ReferenceTools.NadiTexts(data!);
        Assert.True(texts.Count > 60_000, $"expected every NADI file, read {texts.Count} texts");
        var input = ReferenceTools.WriteJsonLines(texts);
        try
        {
            var expected = ReferenceTools.ParseJsonStrings(ReferenceTools.Run(python!, "b2bert_preprocess.py", input));
            AssertSame(texts, expected);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static void AssertSame(IReadOnlyList<string> inputs, IReadOnlyList<string> expected)
    {
        Assert.Equal(inputs.Count, expected.Count);
        var differences = new List<string>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var actual = TextPreprocessor.B2Bert.Process(inputs[i]);
            if (actual != expected[i] && differences.Count < 10)
                differences.Add($"line {i + 1}: input {Escape(inputs[i])}\n  python {Escape(expected[i])}\n  c#     {Escape(actual)}");
            else if (actual != expected[i]) differences.Add("");
        }
        Assert.True(differences.Count == 0, $"{differences.Count} of {inputs.Count} differ:\n{string.Join("\n", differences.Where(d => d.Length > 0))}");
    }

    internal static string Escape(string s) =>
        string.Concat(s.Take(200).Select(c => c < 0x20 || c is > '\u007e' and < '\u00a0' || char.IsSurrogate(c) || c is '\u200c' or '\u200d' or '\u200e' or '\u200f' ? $"\\u{(int)c:x4}" : c.ToString()));
}
