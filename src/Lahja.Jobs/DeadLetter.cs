namespace Lahja.Jobs;

/// <summary>A chunk (or stored result) given up on, with why.</summary>
/// <param name="Id">The dead-letter stream entry id.</param>
/// <param name="Chunk">The chunk index, or null when the entry had none readable.</param>
/// <param name="Reason">Why it was given up on.</param>
/// <param name="Deliveries">How many times it had been delivered.</param>
/// <param name="Worker">The worker that gave up on it.</param>
public sealed record DeadLetter(string Id, int? Chunk, string Reason, int Deliveries, string Worker);
