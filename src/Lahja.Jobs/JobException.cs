namespace Lahja.Jobs;

/// <summary>
/// A job operation that cannot go on for a reason a user can act on (the job exists already, is missing, is
/// incomplete, needs another model): the message says which and what to do.
/// </summary>
public sealed class JobException(string message) : InvalidOperationException(message);
