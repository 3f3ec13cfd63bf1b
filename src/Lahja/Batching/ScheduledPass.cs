using Lahja.Text;

namespace Lahja.Batching;

/// <summary>
/// A forward pass a <see cref="PassScheduler"/> chose: texts of similar length from one or more requests. Run it with
/// <see cref="IPassModel.PredictPass"/> and hand the outcome back to the scheduler.
/// </summary>
public sealed class ScheduledPass
{
    internal ScheduledPass(IReadOnlyList<PoolText> items)
    {
        Items = items;
        Texts = [.. items.Select(t => t.Request.Texts[t.Index])];
        Encodings = [.. items.Select(t => t.Request.Encodings[t.Index])];
    }

    internal IReadOnlyList<PoolText> Items { get; }

    /// <summary>The pass's texts as their requests gave them.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Their encodings, in the same order.</summary>
    public IReadOnlyList<TokenizedText> Encodings { get; }

    /// <summary>The number of texts.</summary>
    public int Count => Texts.Count;

    /// <summary>The request each text belongs to, in pass order.</summary>
    public IEnumerable<ScheduledRequest> Requests => Items.Select(t => t.Request);
}
