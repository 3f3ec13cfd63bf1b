using Lahja.Text;

namespace Lahja.Batching;

/// <summary>
/// What a scheduler of forward passes needs of a model: encoding a text (on the caller's thread) and one forward pass
/// over encodings it chose. <see cref="DialectIdentifier"/> implements it; a test can stand in for it.
/// </summary>
public interface IPassModel
{
    /// <summary>Preprocesses <paramref name="text"/> with <paramref name="preprocessor"/>, tokenizes and truncates it.</summary>
    TokenizedText Encode(string text, TextPreprocessor preprocessor);

    /// <summary>
    /// One forward pass over <paramref name="encodings"/>; <paramref name="texts"/> are the texts as given (before
    /// preprocessing), which the predictions carry.
    /// </summary>
    IReadOnlyList<DialectPrediction> PredictPass(IReadOnlyList<string> texts, IReadOnlyList<TokenizedText> encodings);
}
