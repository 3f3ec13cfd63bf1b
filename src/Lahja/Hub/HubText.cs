using System.Globalization;
using System.Text;

namespace Lahja.Hub;

/// <summary>
/// Prints a name that came from a Hub answer or a user (repository id, revision, file, ETag, address) inside a
/// message: quoted, control and bidirectional-format characters escaped (a hostile server cannot move the cursor or
/// reorder the line), and shortened when long (a server cannot flood the terminal).
/// </summary>
public static class HubText
{
    /// <summary>Longest printed value, in characters, before it is shortened.</summary>
    public const int MaxLength = 120;

    /// <summary>The value quoted, escaped and shortened; <c>(none)</c> for null.</summary>
    public static string Show(string? value)
    {
        if (value is null) return "(none)";
        var pieces = new List<string>();
        foreach (var rune in value.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            pieces.Add(rune.Value switch
            {
                '\\' => @"\\",
                '"' => "\\\"",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                       || rune == Rune.ReplacementChar => rune.IsBmp ? $"\\u{rune.Value:X4}" : $"\\U{rune.Value:X8}",
                _ => rune.ToString(),
            });
        }
        var total = pieces.Sum(p => p.Length);
        if (total <= MaxLength) return "\"" + string.Concat(pieces) + "\"";
        // Keep both ends: the start names the thing, the end often holds the telling part (an extension, a hash).
        var head = new StringBuilder();
        foreach (var piece in pieces)
        {
            if (head.Length + piece.Length > MaxLength * 2 / 3) break;
            head.Append(piece);
        }
        var tail = new List<string>();
        var tailLength = 0;
        for (var i = pieces.Count - 1; i >= 0 && tailLength + pieces[i].Length <= MaxLength / 4; i--)
        {
            tail.Insert(0, pieces[i]);
            tailLength += pieces[i].Length;
        }
        return string.Create(CultureInfo.InvariantCulture, $"\"{head}…{string.Concat(tail)}\" ({value.Length:N0} characters)");
    }
}
