namespace Lahja.Distillation;

/// <summary>How the LLM teacher asks for JSON.</summary>
public enum StructuredOutput
{
    /// <summary>JSON-schema structured output; if the server refuses it (400), plain prompting from then on.</summary>
    Auto,
    /// <summary>Always JSON-schema structured output.</summary>
    JsonSchema,
    /// <summary>Plain prompting; the answer is parsed from the text.</summary>
    None,
}
