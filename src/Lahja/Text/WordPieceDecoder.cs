using System.Text;

namespace Lahja.Text;

/// <summary>
/// Hugging Face's WordPiece decoder: tokens joined with spaces, word-internal pieces glued to the previous one, and
/// (optionally) the tokenization spaces before punctuation and English contractions cleaned up.
/// </summary>
internal static class WordPieceDecoder
{
    public static string Decode(IEnumerable<string> tokens, string continuingSubwordPrefix, bool cleanUpTokenizationSpaces)
    {
        var builder = new StringBuilder();
        var prefix = continuingSubwordPrefix;
        foreach (var token in tokens)
        {
            if (builder.Length > 0 && prefix.Length > 0 && token.StartsWith(prefix, StringComparison.Ordinal))
                builder.Append(token, prefix.Length, token.Length - prefix.Length);
            else
            {
                if (builder.Length > 0) builder.Append(' ');
                builder.Append(token);
            }
        }
        var text = builder.ToString();
        if (!cleanUpTokenizationSpaces) return text;
        return text.Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
            .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re");
    }
}
