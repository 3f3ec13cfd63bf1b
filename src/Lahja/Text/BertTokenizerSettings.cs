namespace Lahja.Text;

/// <summary>
/// Explicit choices that win over what a checkpoint's tokenizer files say (or don't say). Leave a property null
/// to follow the files, or the Hugging Face defaults when the files are silent.
/// </summary>
public sealed record BertTokenizerOptions
{
    /// <summary>Lowercase the text (Hugging Face default when <c>tokenizer_config.json</c> is absent: true).</summary>
    public bool? DoLowerCase { get; init; }

    /// <summary>Strip accents (NFD, then drop Mn marks). Null in the files means "follow <see cref="DoLowerCase"/>".</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Surround CJK ideographs with spaces (default true).</summary>
    public bool? TokenizeChineseChars { get; init; }

    /// <summary>The checkpoint's maximum sequence length, if it should differ from <c>model_max_length</c>.</summary>
    public int? ModelMaxLength { get; init; }
}

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

/// <summary>How a batch is padded.</summary>
public enum PaddingMode
{
    /// <summary>No padding: sequences keep their own lengths (only valid for single texts or jagged use).</summary>
    None,
    /// <summary>Pad to the longest sequence of the batch (dynamic padding).</summary>
    Longest,
    /// <summary>Pad every sequence to the maximum length.</summary>
    MaxLength,
}
