using System.Text.Json;
using Lahja.Text;

namespace Lahja.Tests.Text;

/// <summary>Each tokenizer rule, pinned with small literal cases on a tiny vocabulary.</summary>
public sealed class BertTokenizerTests : IDisposable
{
    private static readonly string[] Vocab =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "un", "##aff", "##able", "cafe", "café",
        "مرحبا", "كيف", "ال", "##حال", "!", "،", "中", "文", "i", "istanbul", "σ", "ς", "οδος", "οδοσ", "ا", "انا", "أنا", "a", "##a",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("lahja-tok-").FullName;

    public BertTokenizerTests() => File.WriteAllLines(Path.Combine(_directory, "vocab.txt"), Vocab);

    public void Dispose() => Directory.Delete(_directory, true);

    private BertTokenizer Load(BertTokenizerOptions? options = null) => BertTokenizer.FromDirectory(_directory, options);

    private static string Tokens(BertTokenizer t, string text, int? max = 128) => string.Join(' ', t.Encode(text, max).Tokens);

    [Fact]
    public void Without_tokenizer_config_follows_hugging_face_defaults()
    {
        var t = Load();
        Assert.True(t.Settings.DoLowerCase);
        Assert.True(t.Settings.StripAccents);
        Assert.True(t.Settings.TokenizeChineseChars);
        Assert.Contains("defaults", t.Settings.Source);
        Assert.Equal("[CLS] hello world [SEP]", Tokens(t, "HELLO World"));
        Assert.Equal("[CLS] cafe [SEP]", Tokens(t, "Café"));
        Assert.Equal("[CLS] انا [SEP]", Tokens(t, "أنا")); // NFD splits the hamza off alef, and it is stripped
    }

    [Fact]
    public void Tokenizer_config_is_followed_and_options_win()
    {
        File.WriteAllText(Path.Combine(_directory, "tokenizer_config.json"), """{"do_lower_case": false, "model_max_length": 512}""");
        var t = Load();
        Assert.False(t.Settings.DoLowerCase);
        Assert.False(t.Settings.StripAccents);
        Assert.Equal(512, t.Settings.ModelMaxLength);
        Assert.Equal("[CLS] café أنا [SEP]", Tokens(t, "café أنا"));
        Assert.Equal("[CLS] [UNK] [SEP]", Tokens(t, "Hello"));
        var overridden = Load(new BertTokenizerOptions { DoLowerCase = true });
        Assert.Equal("[CLS] hello cafe [SEP]", Tokens(overridden, "Hello café"));
        Assert.Equal("explicit options", overridden.Settings.Source);
        var strip = Load(new BertTokenizerOptions { DoLowerCase = false, StripAccents = true });
        Assert.Equal("[CLS] cafe [UNK] [SEP]", Tokens(strip, "café Hello"));
    }

    [Fact]
    public void Tokenizer_json_normaliser_is_overridden_by_config_defaults_as_in_BertTokenizerFast()
    {
        var vocab = Vocab.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        var json = new
        {
            normalizer = new { type = "BertNormalizer", clean_text = true, handle_chinese_chars = true, strip_accents = (bool?)null, lowercase = false },
            model = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##", max_input_chars_per_word = 100, vocab },
            added_tokens = new[] { new { id = 4, content = "[MASK]", special = true } },
        };
        File.Delete(Path.Combine(_directory, "vocab.txt"));
        File.WriteAllText(Path.Combine(_directory, "tokenizer.json"), JsonSerializer.Serialize(json));
        Assert.Equal("[CLS] hello [MASK] [SEP]", Tokens(Load(), "Hello[MASK]"));
    }

    [Fact]
    public void Special_tokens_may_be_objects_in_the_config()
    {
        File.WriteAllText(Path.Combine(_directory, "tokenizer_config.json"), """{"unk_token": {"content": "[UNK]", "special": true}, "cls_token": "[CLS]"}""");
        Assert.Equal("[UNK]", Load().Settings.UnkToken);
    }

    [Fact]
    public void Missing_or_malformed_files_are_clear_errors()
    {
        File.WriteAllText(Path.Combine(_directory, "tokenizer_config.json"), "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => Load());
        Assert.Contains("tokenizer_config.json", e.Message);
        var empty = Directory.CreateTempSubdirectory("lahja-empty-").FullName;
        try
        {
            Assert.Throws<FileNotFoundException>(() => BertTokenizer.FromDirectory(empty));
        }
        finally
        {
            Directory.Delete(empty);
        }
        Assert.Throws<DirectoryNotFoundException>(() => BertTokenizer.FromDirectory(Path.Combine(_directory, "nope")));
    }

    [Fact]
    public void Vocabulary_without_special_tokens_is_rejected()
    {
        File.WriteAllLines(Path.Combine(_directory, "vocab.txt"), ["hello", "world"]);
        var e = Assert.Throws<InvalidDataException>(() => Load());
        Assert.Contains("unk token '[UNK]'", e.Message);
    }

    [Fact]
    public void Wordpiece_is_greedy_longest_match_first()
    {
        var t = Load();
        Assert.Equal("[CLS] un ##aff ##able world ##s [UNK] [SEP]", Tokens(t, "unaffable worlds xyz"));
        Assert.Equal("[CLS] ال ##حال [SEP]", Tokens(t, "الحال"));
    }

    [Fact]
    public void Words_longer_than_100_code_points_are_unknown()
    {
        var t = Load();
        Assert.Equal(102, t.Encode(new string('a', 100)).Count); // [CLS] a, ##a × 99, [SEP]
        Assert.Equal("[CLS] [UNK] [SEP]", Tokens(t, new string('a', 101)));
    }

    [Fact]
    public void Punctuation_and_cjk_become_single_words()
    {
        var t = Load();
        Assert.Equal("[CLS] مرحبا ، كيف ! [SEP]", Tokens(t, "مرحبا،كيف!"));
        Assert.Equal("[CLS] hello 中 文 [SEP]", Tokens(t, "hello中文"));
    }

    [Fact]
    public void Lowercasing_uses_full_unicode_mappings()
    {
        var t = Load();
        Assert.Equal("[CLS] istanbul [SEP]", Tokens(t, "İstanbul")); // İ → i + U+0307, then the mark is stripped
        Assert.Equal("[CLS] οδος [SEP]", Tokens(t, "ΟΔΟΣ")); // final sigma
    }

    [Fact]
    public void Controls_are_dropped_and_unicode_spaces_split()
    {
        var t = Load();
        Assert.Equal("[CLS] hello world [SEP]", Tokens(t, "hel\u200blo\u00a0world\u0000"));
        Assert.Equal("[CLS] [SEP]", Tokens(t, " \t\u200f "));
    }

    [Fact]
    public void Special_tokens_in_text_are_matched_verbatim()
    {
        var t = Load();
        Assert.Equal("[CLS] hello [MASK] world [SEP] [SEP]", Tokens(t, "hello[MASK]world [SEP]"));
        Assert.Equal("[CLS] [UNK] [UNK] [UNK] [SEP]", Tokens(t, "[mask]")); // lowercase is not the special token
    }

    [Fact]
    public void Truncation_keeps_cls_and_sep()
    {
        var t = Load();
        var e = t.Encode("hello world hello world", 4);
        Assert.Equal("[CLS] hello world [SEP]", string.Join(' ', e.Tokens));
        Assert.True(e.WasTruncated);
        Assert.False(t.Encode("hello", 4).WasTruncated);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Encode("hello", 1));
    }

    [Fact]
    public void Offsets_point_into_the_original_text()
    {
        var t = Load();
        const string text = "Hello, مَرحبا worlds";
        var e = t.Encode(text);
        var spans = e.Offsets.Select(o => text[o.Start..o.End]).ToArray();
        Assert.Equal(["", "Hello", ",", "مَرحبا", "world", "s", ""], spans);
        Assert.Equal([true, false, false, false, false, false, true], e.SpecialTokensMask);
    }

    [Fact]
    public void Batches_pad_to_longest_or_max_length()
    {
        var t = Load();
        var batch = t.EncodeBatch(["hello world", "hello"]);
        Assert.Equal(4, batch.SequenceLength);
        Assert.Equal([2L, 5, 6, 3, 2, 5, 3, 0], batch.InputIds);
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 0], batch.AttentionMask);
        Assert.All(batch.TokenTypeIds, x => Assert.Equal(0L, x));
        var fixedLength = t.EncodeBatch(["hello"], 8, PaddingMode.MaxLength);
        Assert.Equal(8, fixedLength.SequenceLength);
        Assert.Equal([2L, 5, 3, 0, 0, 0, 0, 0], fixedLength.InputIds);
        Assert.Equal(0, t.EncodeBatch([]).Count);
    }

    [Fact]
    public void Decode_joins_pieces()
    {
        var t = Load();
        var ids = t.Encode("unaffable worlds!").InputIds;
        Assert.Equal("[CLS] unaffable worlds! [SEP]", t.Decode(ids));
        Assert.Equal("unaffable worlds!", t.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("unaffable worlds !", t.Decode(ids, skipSpecialTokens: true, cleanUpTokenizationSpaces: false));
        Assert.Equal("hello", t.IdToToken(5));
        Assert.Equal(5, t.TokenToId("hello"));
        Assert.Null(t.TokenToId("nope"));
    }

    [Fact]
    public void Vocabulary_reading_follows_python()
    {
        File.WriteAllText(Path.Combine(_directory, "vocab.txt"), "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\nx\nx\n");
        var vocab = BertTokenizer.ReadVocabulary(Path.Combine(_directory, "vocab.txt"));
        Assert.Equal(5, vocab["x"]); // a repeated token keeps its last line
        Assert.Equal(2, vocab["[CLS]"]);
    }

    [Fact]
    public void Tokenizers_with_different_settings_encode_alike_on_many_threads_at_once()
    {
        // The normalisation buffer is reused per thread: interleaving a lowercasing and a cased tokenizer on many
        // threads, with short texts and texts long enough that their buffer is not kept, must change nothing.
        var lower = Load();
        var cased = Load(new BertTokenizerOptions { DoLowerCase = false });
        string[] words = ["Hello", "WORLDS", "café", "Café", "مَرحبا", "كيف الحال", "unaffable", "[MASK]", "中文", "ΟΔΟΣ", "!", " \t"];
        var random = new Random(5);
        var texts = Enumerable.Range(0, 200).Select(i => string.Join(' ', Enumerable.Range(0, i % 10 == 0 ? 3000 : random.Next(1, 12))
            .Select(_ => words[random.Next(words.Length)]))).ToArray();
        string Encoding(BertTokenizer t, string text)
        {
            var e = t.Encode(text, null);
            return string.Join(' ', e.InputIds) + "|" + string.Join(' ', e.Offsets) + "|" + t.CountTokens(text);
        }
        var expected = texts.Select(text => (Encoding(lower, text), Encoding(cased, text))).ToArray();
        var actual = new (string, string)[texts.Length];
        Parallel.For(0, texts.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k =>
        {
            var i = k % texts.Length;
            actual[i] = (Encoding(lower, texts[i]), Encoding(cased, texts[i]));
        });
        Assert.Equal(expected, actual);
    }
}
