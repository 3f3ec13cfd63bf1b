using System.Text;
using System.Text.Json;

namespace Lahja.Distillation;

/// <summary>
/// The versioned teacher prompt. In substance B2BERT's (B2BERT.md): the model is a native Arabic speaker and dialect
/// expert, gets the sentence and the 18 dialect names, decides independently for each dialect whether the sentence
/// could be said in it, and answers only with a JSON object mapping each dialect to 0 or 1. Any change to the wording
/// must change <see cref="Version"/>, because the cache is keyed by it.
/// </summary>
public static class DialectPrompt
{
    /// <summary>The prompt version recorded in the cache and the output.</summary>
    public const string Version = "b2bert-v1";

    /// <summary>The system message.</summary>
    public static string System { get; } =
        "You are a native Arabic speaker and an expert in the dialects of Arabic spoken across the Arab world. " +
        "You judge short social-media texts.";

    /// <summary>The user message for one sentence.</summary>
    public static string User(string sentence)
    {
        var text = new StringBuilder();
        text.Append("For the sentence below, decide independently for each of these 18 country dialects whether a native speaker of that dialect could naturally say or write this exact sentence: ");
        text.AppendJoin(", ", Dialects.Table.Select(d => d.Label));
        text.Append(".\nA sentence in Modern Standard Arabic, or made only of words shared by all dialects, can be said in all of them. ");
        text.Append("Mark 1 if the sentence could be said in the dialect, 0 if not.\n");
        text.Append("Answer only with a JSON object with exactly these 18 keys and the values 0 or 1, nothing else.\n\n");
        text.Append("Sentence: ").Append(sentence);
        return text.ToString();
    }

    /// <summary>The JSON schema of the answer: an object with exactly the 18 labels as integer 0/1 properties.</summary>
    public static JsonElement AnswerSchema { get; } = BuildSchema();

    private static JsonElement BuildSchema()
    {
        int[] binary = [0, 1];
        var properties = Dialects.Table.ToDictionary(d => d.Label, _ => (object)new Dictionary<string, object> { ["type"] = "integer", ["enum"] = binary });
        var schema = new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = Dialects.Table.Select(d => d.Label).ToArray(),
            ["additionalProperties"] = false,
        };
        return JsonSerializer.SerializeToElement(schema);
    }
}
