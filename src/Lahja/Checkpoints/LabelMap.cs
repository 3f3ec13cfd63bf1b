namespace Lahja.Checkpoints;

/// <summary>How a checkpoint's outputs map onto the 18 dialects.</summary>
public sealed class LabelMap
{
    private LabelMap(int[] outputForDialect, string description)
    {
        OutputForDialect = outputForDialect;
        Description = description;
    }

    /// <summary>For each dialect in canonical order, the classifier output that scores it.</summary>
    public IReadOnlyList<int> OutputForDialect { get; }

    /// <summary>How the mapping was decided, for logs and reports.</summary>
    public string Description { get; }

    /// <summary>True when output i is dialect i.</summary>
    public bool IsIdentity => OutputForDialect.Select((o, d) => o == d).All(x => x);

    /// <summary>
    /// Builds the map from <c>id2label</c>: dialect names (any spelling <see cref="Dialects.Parse"/> accepts) are
    /// mapped by name; generic <c>LABEL_0…LABEL_17</c> (what transformers writes when no names were given) take the
    /// canonical B2BERT order; any other set is an error.
    /// </summary>
    /// <exception cref="InvalidDataException">The labels are not the 18 dialects; the message says which are wrong.</exception>
    public static LabelMap FromId2Label(IReadOnlyList<string> id2label, string source)
    {
        if (id2label.Count != Dialects.Count)
            throw new InvalidDataException($"{source}: the model has {id2label.Count} labels; a dialect model needs the {Dialects.Count} dialects.");
        if (id2label.Select((l, i) => l == $"LABEL_{i}").All(x => x))
            return new LabelMap(Enumerable.Range(0, Dialects.Count).ToArray(), "generic labels LABEL_0…LABEL_17, read in B2BERT's canonical order (Algeria … Yemen)");
        var outputFor = Enumerable.Repeat(-1, Dialects.Count).ToArray();
        var problems = new List<string>();
        for (var output = 0; output < id2label.Count; output++)
        {
            if (!Dialects.TryParse(id2label[output], out var dialect)) problems.Add($"id2label[{output}] = \"{id2label[output]}\" is not a dialect");
            else if (outputFor[(int)dialect] >= 0) problems.Add($"id2label[{output}] repeats {dialect.Label()}");
            else outputFor[(int)dialect] = output;
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"{source}: {string.Join("; ", problems)}.");
        var identity = outputFor.Select((o, d) => o == d).All(x => x);
        return new LabelMap(outputFor, identity ? "dialect names in canonical order" : "dialect names, reordered to the canonical order");
    }
}
