namespace Lahja.Text;

/// <summary>The settings a <see cref="BertTokenizer"/> actually uses, after files, defaults and overrides.</summary>
/// <param name="DoLowerCase">Lowercase the text before WordPiece.</param>
/// <param name="StripAccents">Remove Mn marks after NFD decomposition.</param>
/// <param name="TokenizeChineseChars">Isolate CJK ideographs as words.</param>
/// <param name="CleanText">Drop control characters and map whitespace to spaces (always true for BERT).</param>
/// <param name="UnkToken">Unknown token.</param>
/// <param name="ClsToken">Classification token, first of every sequence.</param>
/// <param name="SepToken">Separator token, last of every sequence.</param>
/// <param name="PadToken">Padding token.</param>
/// <param name="MaskToken">Mask token.</param>
/// <param name="ModelMaxLength">Maximum sequence length the checkpoint declares, or null when it declares none.</param>
/// <param name="MaxInputCharsPerWord">Words longer than this many code points become the unknown token.</param>
/// <param name="ContinuingSubwordPrefix">Prefix of word-internal pieces (<c>##</c>).</param>
/// <param name="Source">Where the normalisation settings came from, in words (for logs and <c>lahja tokenize</c>).</param>
public sealed record BertTokenizerSettings(
    bool DoLowerCase,
    bool StripAccents,
    bool TokenizeChineseChars,
    bool CleanText,
    string UnkToken,
    string ClsToken,
    string SepToken,
    string PadToken,
    string MaskToken,
    int? ModelMaxLength,
    int MaxInputCharsPerWord,
    string ContinuingSubwordPrefix,
    string Source);
