namespace Lahja.Text;

/// <summary>
/// The general categories Hugging Face's BERT normaliser and pre-tokenizer test, at the reference's Unicode
/// version (generated into HuggingFaceUnicode.g.cs from transformers.js's runtime).
/// </summary>
internal static partial class HuggingFaceUnicode
{
    private static readonly CodePointSet NonSpacingMark = new(NonSpacingMarkRanges);
    private static readonly CodePointSet Control = new(ControlRanges);
    private static readonly CodePointSet Punctuation = new(PunctuationRanges);

    /// <summary>Category Mn: removed when stripping accents.</summary>
    public static bool IsNonSpacingMark(int codePoint) => NonSpacingMark.Contains(codePoint);

    /// <summary>Categories Cc, Cf, Co, Cs: removed when cleaning text (tab, LF and CR excepted by the caller).</summary>
    public static bool IsControlOrFormat(int codePoint) => Control.Contains(codePoint);

    /// <summary>Category P.</summary>
    public static bool IsPunctuation(int codePoint) => Punctuation.Contains(codePoint);
}
