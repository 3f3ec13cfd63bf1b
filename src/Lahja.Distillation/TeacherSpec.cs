using System.Diagnostics.CodeAnalysis;

namespace Lahja.Distillation;

/// <summary>
/// A teacher as a user names it: <c>openai:MODEL</c>, <c>local</c>, <c>local:DIR</c> or <c>model:DIR_OR_HUB_ID</c>
/// (<c>lahja pseudo-label --teacher</c>). <see cref="TeacherFactory"/> builds the teacher it names.
/// </summary>
/// <param name="Kind">The kind of teacher.</param>
/// <param name="Argument">The part after the colon: the LLM's model name, the saved teacher's folder, the model; null for <see cref="TeacherKind.LocalTrained"/>.</param>
public sealed record TeacherSpec(TeacherKind Kind, string? Argument)
{
    /// <summary>The forms a spec takes, for messages.</summary>
    public const string Forms = "openai:MODEL, local, local:DIR or model:DIR_OR_HUB_ID";

    /// <summary>Whether the teacher learns from the rows it labels (so it must see all of them, never a shard).</summary>
    public bool TrainsOnInput => Kind == TeacherKind.LocalTrained;

    /// <summary>Parses <paramref name="spec"/>.</summary>
    /// <exception cref="FormatException">Not one of the <see cref="Forms"/>; the message names the spec and lists them.</exception>
    public static TeacherSpec Parse(string spec) =>
        TryParse(spec, out var parsed) ? parsed : throw new FormatException($"'{spec}': expected {Forms}.");

    /// <summary>Parses <paramref name="spec"/>, or returns false when it is not one of the <see cref="Forms"/>.</summary>
    public static bool TryParse(string? spec, [NotNullWhen(true)] out TeacherSpec? parsed)
    {
        parsed = null;
        if (spec is null) return false;
        var colon = spec.IndexOf(':');
        var kind = colon < 0 ? spec : spec[..colon];
        var argument = colon < 0 ? null : spec[(colon + 1)..];
        parsed = kind switch
        {
            "openai" when !string.IsNullOrWhiteSpace(argument) => new TeacherSpec(TeacherKind.Llm, argument),
            "local" when argument is null => new TeacherSpec(TeacherKind.LocalTrained, null),
            "local" when !string.IsNullOrWhiteSpace(argument) => new TeacherSpec(TeacherKind.LocalSaved, argument),
            "model" when !string.IsNullOrWhiteSpace(argument) => new TeacherSpec(TeacherKind.Model, argument),
            _ => null,
        };
        return parsed is not null;
    }

    /// <summary>The spec as written: <see cref="Parse"/> reads it back.</summary>
    public override string ToString() => Kind switch
    {
        TeacherKind.Llm => $"openai:{Argument}",
        TeacherKind.LocalTrained => "local",
        TeacherKind.LocalSaved => $"local:{Argument}",
        _ => $"model:{Argument}",
    };
}
