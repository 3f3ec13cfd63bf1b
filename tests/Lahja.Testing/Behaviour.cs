namespace Lahja.Testing;

/// <summary>What the fake server does with one request.</summary>
public abstract record Behaviour
{
    /// <summary>Answers with this message content.</summary>
    public sealed record Content(string Text) : Behaviour;
    /// <summary>Answers with an HTTP error status (and Retry-After seconds, if given).</summary>
    public sealed record Status(int Code, int? RetryAfterSeconds = null) : Behaviour;
    /// <summary>Never answers (until the client gives up or goes away).</summary>
    public sealed record Hang : Behaviour;
    /// <summary>Answers 200 with a JSON content type and an empty body.</summary>
    public sealed record EmptyBody : Behaviour;
    /// <summary>Answers 200 with the first half of the normal completion's JSON (the body ends cleanly).</summary>
    public sealed record TruncatedBody : Behaviour;
    /// <summary>Answers 200 announcing the whole completion's length, sends half of it, then drops the connection.</summary>
    public sealed record DroppedBody : Behaviour;
}
