namespace Lahja.Distillation.Llm;

/// <summary>The server refused JSON-schema structured output (HTTP 400); later requests are prompted plainly.</summary>
internal sealed class StructuredOutputRefusedException(Exception inner) : Exception("server refused JSON-schema output", inner);
