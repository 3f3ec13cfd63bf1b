namespace Lahja.Server;

/// <summary>The queue is full: the client should retry later (HTTP 503 with Retry-After, 429 in TEI's shape).</summary>
public sealed class QueueFullException() : Exception("The request queue is full.");
