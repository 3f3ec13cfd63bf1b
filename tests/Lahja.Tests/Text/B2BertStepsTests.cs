using Lahja.Text;

namespace Lahja.Tests.Text;

/// <summary>Each of B2BERT's ten preprocessing steps, pinned with small literal cases.</summary>
public class B2BertStepsTests
{
    [Theory]
    [InlineData("مَرْحَبًا", "مرحبا")]
    [InlineData("ٱلرَّحْمَٰنِ", "ٱلرحمن")] // superscript alef U+0670 is a diacritic; wasla alef is a letter
    [InlineData("ا\u0654", "ا")] // decomposed hamza above
    [InlineData("ذَٰلِكَ ۛ", "ذلك ")] // Quranic small high three dots U+06DB
    [InlineData("e\u0301", "e\u0301")] // Latin combining marks are not Arabic diacritics
    public void Step1_removes_arabic_diacritics(string input, string expected) => Assert.Equal(expected, B2BertSteps.RemoveDiacritics.Apply(input));

    [Theory]
    [InlineData("  نص \t\n", "نص")]
    [InlineData("\x1cنص\x1f", "نص")] // Python counts U+001C..U+001F as whitespace
    [InlineData("\u00a0نص\u3000", "نص")]
    [InlineData("\u200bنص", "\u200bنص")] // zero-width space is not whitespace
    public void Step2_trims_python_whitespace(string input, string expected) => Assert.Equal(expected, B2BertSteps.Trim.Apply(input));

    [Theory]
    [InlineData("إأٱآا", "ااااا")]
    [InlineData("على", "علي")]
    [InlineData("مؤمن سائل", "مءمن ساءل")]
    [InlineData("مدرسة", "مدرسه")]
    public void Step3_normalizes_letters(string input, string expected) => Assert.Equal(expected, B2BertSteps.NormalizeLetters.Apply(input));

    [Theory]
    [InlineData("يااااا", "يا")]
    [InlineData("ووو ييي ءءء", "و ي ء")]
    [InlineData("ههههه", "ههههه")] // only ا و ي ء collapse
    [InlineData("اوي", "اوي")] // different letters are not a run
    public void Step4_collapses_runs_of_alef_waw_yeh_hamza(string input, string expected) => Assert.Equal(expected, B2BertSteps.CollapseRepeatedLetters.Apply(input));

    [Theory]
    [InlineData("مرحبا، كيف؟!", "مرحبا كيف")]
    [InlineData("مـــرحبا", "مرحبا")] // tatweel
    [InlineData("«نص»", "«نص»")] // guillemets are not in the set
    [InlineData("a–b…c“d”e×f÷g¦h", "abcdefgh")]
    [InlineData("ஜنصஜ", " نص ")]
    [InlineData("@user #tag http://x.y", "user tag httpxy")]
    public void Step5_removes_the_43_punctuation_characters(string input, string expected) => Assert.Equal(expected, B2BertSteps.RemovePunctuation.Apply(input));

    [Theory]
    [InlineData("حلو😂", "حلو")]
    [InlineData("👨‍👩‍👧", "")] // ZWJ sequence
    [InlineData("⌚⏏⏩Ⓜ", "")]
    [InlineData("⏪", "⏪")] // U+23EA is not in the pattern
    [InlineData("ﻻ ﷺ", " ")] // presentation forms are above U+24C2
    [InlineData("中文", "")]
    [InlineData("©™", "©™")] // below U+24C2 and not listed
    public void Step6_removes_the_broad_emoji_range(string input, string expected) => Assert.Equal(expected, B2BertSteps.RemoveEmoji.Apply(input));

    [Theory]
    // The examples of shared/docs/B2BERT.md step 7 (one pass of the authors' re.sub; empty groups, no overlap).
    [InlineData("USERخساره", "USE R خساره")]
    [InlineData("aبc", " a بc")]
    [InlineData("بaب", "ب a ب")]
    [InlineData("بa", "ب a ")]
    [InlineData("helloمرحبا", "hell o مرحبا")]
    [InlineData("مرحباhello", "مرحبا h ello")]
    [InlineData("abبcd", "a b بcd")]
    [InlineData("123مرحبا", "123مرحبا")] // digits are not letters
    [InlineData("éب", "éب")] // only ASCII letters
    public void Step7_separates_arabic_and_latin_letters(string input, string expected) => Assert.Equal(expected, B2BertSteps.SeparateArabicAndLatin.Apply(input));

    [Theory]
    [InlineData("see https://t.co/x now", "see URL now")]
    [InlineData("http://", "http://")] // \S+ needs at least one character
    [InlineData("@user_1 hi", "USER hi")]
    [InlineData("@مستخدم", "USER")]
    [InlineData("@ x", "@ x")]
    public void Step8_replaces_urls_and_mentions(string input, string expected) => Assert.Equal(expected, B2BertSteps.ReplaceUrlsAndMentions.Apply(input));

    [Theory]
    [InlineData("hello مرحبا", "  مرحبا")]
    [InlineData("URL USER", "URL USER")]
    [InlineData("URLs USERname", "   ")]
    [InlineData("abc123_", " ")]
    [InlineData("café", "café")] // the ASCII run is not \b-bounded: é is a word character
    [InlineData("123مرحبا", "123مرحبا")] // likewise for Arabic letters
    [InlineData("«نص»", " نص ")]
    [InlineData("e\u0301x", "   ")] // combining marks are not \w in Python: 'e' is bounded, the mark is a symbol
    [InlineData("a\tb", " \t ")]
    public void Step9_blanks_latin_words_and_symbols(string input, string expected) => Assert.Equal(expected, B2BertSteps.RemoveLatinWordsAndSymbols.Apply(input));

    [Theory]
    [InlineData("هذا في البيت", "البيت")]
    [InlineData("انا في البيت", "انا البيت")] // NLTK lists أنا; after step 3 the text has انا, which stays
    [InlineData("  كلمة   اخرى  ", "كلمة اخرى")]
    [InlineData("x\x1cy", "x y")] // str.split() splits on U+001C
    [InlineData("", "")]
    public void Step10_drops_stopwords_and_rejoins(string input, string expected) => Assert.Equal(expected, B2BertSteps.RemoveStopwords.Apply(input));

    [Fact]
    public void Stopword_list_is_nltks()
    {
        Assert.Contains("في", B2BertSteps.Stopwords);
        Assert.Contains("أنا", B2BertSteps.Stopwords);
        Assert.Equal(701, B2BertSteps.Stopwords.Count); // 754 lines, duplicates removed
    }

    [Fact]
    public void Preset_applies_the_ten_steps_in_order()
    {
        Assert.Equal(
            ["remove-diacritics", "trim", "normalize-letters", "collapse-repeated-letters", "remove-punctuation", "remove-emoji",
             "separate-arabic-latin", "replace-urls-mentions", "remove-latin-words-symbols", "remove-stopwords"],
            TextPreprocessor.B2Bert.Steps.Select(s => s.Name));
        Assert.Equal("مرحبا الحال URL", TextPreprocessor.B2Bert.Process("مرحباً يا @user كيف الحال؟ 😀 hello123 URL"));
        Assert.Equal("  x ", TextPreprocessor.None.Process("  x "));
    }

    [Fact]
    public void Preset_deletes_a_user_placeholder_glued_to_arabic()
    {
        // Step 7 splits USER into "USE R" before step 9, so neither survives as the USER placeholder.
        Assert.Equal("خساره", TextPreprocessor.B2Bert.Process("USERخساره"));
        Assert.Equal("USER خساره", TextPreprocessor.B2Bert.Process("USER خساره"));
    }

    [Fact]
    public void Presets_are_found_by_name_and_compose()
    {
        Assert.Same(TextPreprocessor.B2Bert, TextPreprocessor.FromPreset("B2BERT"));
        Assert.Same(TextPreprocessor.None, TextPreprocessor.FromPreset("none"));
        var e = Assert.Throws<ArgumentException>(() => TextPreprocessor.FromPreset("camel"));
        Assert.Contains("b2bert, none", e.Message);
        var keepStopwords = TextPreprocessor.B2Bert.Without("remove-stopwords");
        Assert.Equal("انا في البيت", keepStopwords.Process("انا في البيت"));
        Assert.Throws<ArgumentException>(() => TextPreprocessor.B2Bert.Without("no-such-step"));
        Assert.Equal("hello", TextPreprocessor.None.Then(B2BertSteps.Trim).Process(" hello "));
    }
}
