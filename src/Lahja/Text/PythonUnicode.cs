namespace Lahja.Text;

/// <summary>
/// Python 3's Unicode character classes, as CPython's <c>re</c> applies them to <c>str</c>: <c>\w</c> is
/// <c>str.isalnum()</c> or <c>_</c> (it excludes combining marks, unlike .NET's <c>\w</c>), and <c>\s</c> is
/// <c>str.isspace()</c> (it includes U+001C–U+001F, unlike <see cref="char.IsWhiteSpace(char)"/>). The tables are
/// generated from Python (see PythonUnicode.g.cs) so B2BERT's preprocessing is reproduced exactly.
/// </summary>
internal static partial class PythonUnicode
{
    private static readonly CodePointSet Word = new(WordRanges);
    private static readonly CodePointSet Space = new(SpaceRanges);

    /// <summary>Whether Python's <c>re</c> matches <paramref name="codePoint"/> with <c>\w</c>.</summary>
    public static bool IsWord(int codePoint) => Word.Contains(codePoint);

    /// <summary>Whether <paramref name="codePoint"/> is whitespace for Python (<c>\s</c>, <c>str.split()</c>, <c>str.strip()</c>).</summary>
    public static bool IsSpace(int codePoint) => Space.Contains(codePoint);
}
