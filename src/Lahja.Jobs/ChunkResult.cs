namespace Lahja.Jobs;

/// <summary>The stored predictions of one chunk, or why there are none.</summary>
/// <param name="Chunk">The chunk index.</param>
/// <param name="Predictions">Its predictions in input order, or null.</param>
/// <param name="Problem">Why there are none (null when there are).</param>
public sealed record ChunkResult(int Chunk, IReadOnlyList<DialectPrediction>? Predictions, string? Problem);
