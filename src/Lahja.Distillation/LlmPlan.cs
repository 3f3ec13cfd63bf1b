namespace Lahja.Distillation;

/// <summary>What an LLM labelling run would send (<c>pseudo-label --dry-run</c>).</summary>
/// <param name="Rows">Rows given.</param>
/// <param name="DistinctTexts">Distinct texts among them (each is asked once).</param>
/// <param name="Cached">Distinct texts whose answer is in the cache (no request).</param>
/// <param name="ToSend">Distinct texts that would be sent (one request each, before any retry).</param>
/// <param name="EstimatedInputTokens">Estimated prompt tokens of those requests.</param>
/// <param name="EstimatedOutputTokens">Estimated answer tokens of those requests.</param>
public sealed record LlmPlan(int Rows, int DistinctTexts, int Cached, int ToSend, long EstimatedInputTokens, long EstimatedOutputTokens);
