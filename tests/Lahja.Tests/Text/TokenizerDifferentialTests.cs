using Lahja.Text;

namespace Lahja.Tests.Text;

/// <summary>
/// C# <see cref="BertTokenizer"/> vs Hugging Face's tokenizer as transformers.js computes it
/// (tools/reference/hf_tokenize.mjs), for two vocabularies (with and without diacritic tokens) and both
/// <c>do_lower_case</c> settings. Tolerance: none — every input id must be identical.
/// </summary>
public class TokenizerDifferentialTests
{
    public static TheoryData<string, bool> Configurations => new()
    {
        { "plain", true }, { "plain", false }, { "diacritics", true }, { "diacritics", false },
    };

    private const int AdversarialMaxLength = 512;

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Adversarial_list_matches_the_committed_reference_output(string vocab, bool lower)
    {
        var inputs = ReferenceTools.ReadJsonLines(ReferenceTools.Fixture("adversarial.jsonl"));
        var expected = ReferenceTools.ReadIdLines(ReferenceTools.Fixture($"adversarial.ids.{vocab}.lower-{(lower ? "true" : "false")}.expected.jsonl"));
        AssertSame(Tokenizer(vocab, lower), inputs, expected, AdversarialMaxLength);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Committed_reference_output_is_current(string vocab, bool lower)
    {
        var node = ReferenceTools.Node;
        Assert.SkipWhen(node is null, "Node or tools/reference/node_modules is missing (run `npm ci` there): the committed fixture was checked instead.");
        var fixture = $"adversarial.ids.{vocab}.lower-{(lower ? "true" : "false")}.expected.jsonl";
        var live = ReferenceTools.Run(node!, "hf_tokenize.mjs", "--vocab", ReferenceTools.Fixture($"vocab-{vocab}.txt"),
            "--lower", lower ? "true" : "false", "--max-length", AdversarialMaxLength.ToString(), ReferenceTools.Fixture("adversarial.jsonl"));
        var committed = File.ReadAllText(ReferenceTools.Fixture(fixture));
        Assert.True(live == committed, $"tests/Lahja.Tests/Fixtures/{fixture} is stale: run tools/reference/regenerate_fixtures.sh");
    }

    [Fact]
    public void Category_tables_match_the_reference_runtime()
    {
        var node = ReferenceTools.Node;
        Assert.SkipWhen(node is null, "Node or tools/reference/node_modules is missing.");
        var version = ReferenceTools.Run(node!, "-p", "process.versions.unicode").Trim();
        Assert.True(version == HuggingFaceUnicode.UnicodeVersion,
            $"Node has Unicode {version}, the tables {HuggingFaceUnicode.UnicodeVersion}: run tools/reference/gen_hf_unicode_tables.mjs and regenerate_fixtures.sh");
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Every_nadi_tweet_matches_transformers_js(string vocab, bool lower)
    {
        var data = ReferenceTools.SharedData;
        Assert.SkipWhen(data is null, "../shared/data is absent: the NADI comparison needs the NADI tweets.");
        var node = ReferenceTools.Node;
        Assert.SkipWhen(node is null, "Node or tools/reference/node_modules is missing (run `npm ci` there): the NADI comparison needs transformers.js.");
        var texts = ReferenceTools.NadiTexts(data!);
        // Raw tweets and their b2bert-preprocessed form: the model sees the latter, users may feed the former.
        texts.AddRange(texts.Select(TextPreprocessor.B2Bert.Process).ToList());
        var input = ReferenceTools.WriteJsonLines(texts);
        try
        {
            var expected = ReferenceTools.ParseIdArrays(ReferenceTools.Run(node!, "hf_tokenize.mjs", "--vocab", ReferenceTools.Fixture($"vocab-{vocab}.txt"),
                "--lower", lower ? "true" : "false", "--max-length", BertTokenizer.DefaultMaxLength.ToString(), input));
            AssertSame(Tokenizer(vocab, lower), texts, expected, BertTokenizer.DefaultMaxLength);
        }
        finally
        {
            File.Delete(input);
        }
    }

    internal static BertTokenizer Tokenizer(string vocab, bool lower)
    {
        var directory = Directory.CreateTempSubdirectory("lahja-vocab-").FullName;
        File.Copy(ReferenceTools.Fixture($"vocab-{vocab}.txt"), Path.Combine(directory, "vocab.txt"));
        try
        {
            return BertTokenizer.FromDirectory(directory, new BertTokenizerOptions { DoLowerCase = lower });
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    private static void AssertSame(BertTokenizer tokenizer, IReadOnlyList<string> inputs, IReadOnlyList<int[]> expected, int maxLength)
    {
        Assert.Equal(inputs.Count, expected.Count);
        var failures = 0;
        var report = new List<string>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var actual = tokenizer.Encode(inputs[i], maxLength).InputIds;
            if (actual.SequenceEqual(expected[i])) continue;
            if (++failures <= 8)
                report.Add($"line {i + 1}: {PreprocessingDifferentialTests.Escape(inputs[i])}\n  reference {string.Join(' ', tokenizer.ConvertIdsToTokens(expected[i]))}\n  c#        {string.Join(' ', tokenizer.ConvertIdsToTokens(actual))}");
        }
        Assert.True(failures == 0, $"{failures} of {inputs.Count} differ:\n{string.Join("\n", report)}");
    }
}
