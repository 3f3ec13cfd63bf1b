namespace Lahja;

/// <summary>Why a prediction has nothing to say about a text (see <see cref="DialectPrediction.EmptyReason"/>).</summary>
public enum EmptyTextReason
{
    /// <summary>The text has something to classify: the model was consulted.</summary>
    None,

    /// <summary>The text is empty or only whitespace.</summary>
    EmptyText,

    /// <summary>
    /// The text is not empty, but preprocessing and tokenization left no token to read (the <c>b2bert</c> preset
    /// removes Latin words, user mentions, URLs, emoji…).
    /// </summary>
    NothingAfterPreprocessing,
}
