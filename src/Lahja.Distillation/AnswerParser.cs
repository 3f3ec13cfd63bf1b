using System.Text.Json;

namespace Lahja.Distillation;

/// <summary>
/// Reads a teacher's JSON answer robustly: code fences and prose around the object, values <c>1</c>/<c>"1"</c>/
/// <c>true</c>/<c>"yes"</c>, key spellings the dialect parser knows (<c>Saudi Arabia</c>, <c>KSA</c> is not one).
/// An answer that misses a dialect, names an unknown one twice, or has another value is rejected, never completed.
/// </summary>
public static class AnswerParser
{
    /// <summary>Parses <paramref name="answer"/> into 18 labels, or returns false with the reason.</summary>
    public static bool TryParse(string answer, out bool[] labels, out string error)
    {
        labels = [];
        var start = answer.IndexOf('{');
        var end = answer.LastIndexOf('}');
        if (start < 0 || end < start)
        {
            error = "no JSON object in the answer";
            return false;
        }
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(answer.AsMemory(start, end - start + 1), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            error = $"malformed JSON ({e.Message.Split('.')[0]})";
            return false;
        }
        // Some models nest the object (e.g. {"dialects": {...}}): use the single object value if that is all there is.
        if (root.ValueKind == JsonValueKind.Object && root.EnumerateObject().Count() == 1 && root.EnumerateObject().First().Value.ValueKind == JsonValueKind.Object)
            root = root.EnumerateObject().First().Value;
        var seen = new bool?[Dialects.Count];
        foreach (var property in root.EnumerateObject())
        {
            if (!Dialects.TryParse(property.Name, out var dialect))
            {
                error = $"unknown dialect key '{property.Name}'";
                return false;
            }
            if (!TryValue(property.Value, out var value))
            {
                error = $"value of '{property.Name}' is {property.Value.GetRawText()}, expected 0 or 1";
                return false;
            }
            if (seen[(int)dialect] is { } earlier && earlier != value)
            {
                error = $"'{property.Name}' is given twice with different values";
                return false;
            }
            seen[(int)dialect] = value;
        }
        var missing = Dialects.All.Where(d => seen[(int)d] is null).Select(d => d.Label()).ToList();
        if (missing.Count > 0)
        {
            error = $"missing {string.Join(", ", missing)}";
            return false;
        }
        labels = seen.Select(v => v!.Value).ToArray();
        error = "";
        return true;
    }

    private static bool TryValue(JsonElement value, out bool result)
    {
        result = false;
        switch (value.ValueKind)
        {
            case JsonValueKind.True: result = true; return true;
            case JsonValueKind.False: return true;
            case JsonValueKind.Number when value.TryGetDouble(out var number) && number is 0 or 1:
                result = number == 1;
                return true;
            case JsonValueKind.String:
                switch (value.GetString()!.Trim().ToLowerInvariant())
                {
                    case "1" or "true" or "yes" or "y": result = true; return true;
                    case "0" or "false" or "no" or "n": return true;
                }
                return false;
            default: return false;
        }
    }
}
