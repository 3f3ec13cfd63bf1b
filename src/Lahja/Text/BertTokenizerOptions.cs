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
